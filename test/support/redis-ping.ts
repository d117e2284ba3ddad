import { connect } from 'node:net';

/**
 * Sends one inline command to a Redis server over raw TCP and resolves with the first complete reply
 * (simple string, error, integer or bulk string, undecoded), or `undefined` on connection failure or after
 * `timeoutMs`. Never rejects. Needs neither ioredis nor redis-cli.
 */
export function rawRedisCommand(port: number, command: string, host = '127.0.0.1', timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect({ host, port });
    const done = (result: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const complete = completeReply(reply);
      if (complete !== undefined) done(complete);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}

/** Resolves `true` iff a Redis server at 127.0.0.1:`port` answers `PING` with `+PONG` within `timeoutMs`. */
export async function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return (await rawRedisCommand(port, 'PING', host, timeoutMs)) === '+PONG';
}

/** The `process_id` of the Redis server answering on `port` (from `INFO server`), if one answers. */
export async function redisServerPid(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<number | undefined> {
  const info = await rawRedisCommand(port, 'INFO server', host, timeoutMs);
  const match = info?.match(/\r\nprocess_id:(\d+)\r\n/);
  return match ? Number(match[1]) : undefined;
}

/** The first RESP reply in `text` without its trailing CRLF, or `undefined` while incomplete. */
function completeReply(text: string): string | undefined {
  const lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  if (!text.startsWith('$')) return text.slice(0, lineEnd);
  const length = Number(text.slice(1, lineEnd));
  if (length < 0) return text.slice(0, lineEnd); // null bulk string
  // Bulk lengths are in bytes; the INFO payload is ASCII, so characters == bytes here.
  const end = lineEnd + 2 + length;
  return text.length >= end + 2 ? text.slice(0, end) : undefined;
}
