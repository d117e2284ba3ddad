import net from 'node:net';
import type { RedisWriteCounts } from './server-protocol.js';

/** The command name at the start of a RESP request (`*3\r\n$7\r\nevalsha\r\n…` → `evalsha`). */
function firstCommand(chunk: unknown): string {
  const head = typeof chunk === 'string' ? chunk.slice(0, 48) : Buffer.isBuffer(chunk) ? chunk.toString('latin1', 0, 48) : '';
  const match = /^\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/.exec(head);
  return match ? match[1].toLowerCase() : '';
}

type WriteCallback = (error?: Error | null) => void;
type SocketInternals = net.Socket & {
  _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void;
  _writev(chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, callback: WriteCallback): void;
};

/**
 * Counts every write this process makes to a socket whose remote port is Redis's, as the socket hands it
 * to the OS: one per (auto-)pipeline flush, and one per corked turn of the direct connection, however
 * many commands it carries. So a write is one request round trip; replies are not counted. It hooks the
 * `_write` / `_writev` that `net.Socket` implements (Node's stream API for implementers), below any
 * corking. Must be installed before the connections are opened; patching the prototype catches them all.
 */
export function installRedisWriteCounter(redisPort: number): () => RedisWriteCounts {
  const counts: RedisWriteCounts = { total: 0, scripts: 0, publish: 0, other: 0 };
  const count = (socket: net.Socket, chunk: unknown): void => {
    if (socket.remotePort !== redisPort) return;
    counts.total += 1;
    const command = firstCommand(chunk);
    if (command === 'evalsha' || command === 'eval') counts.scripts += 1;
    else if (command === 'publish') counts.publish += 1;
    else counts.other += 1;
  };
  const prototype = net.Socket.prototype as SocketInternals;
  const { _write: write, _writev: writev } = prototype;
  prototype._write = function countingWrite(this: SocketInternals, chunk, encoding, callback) {
    count(this, chunk);
    write.call(this, chunk, encoding, callback);
  };
  prototype._writev = function countingWritev(this: SocketInternals, chunks, callback) {
    count(this, chunks[0]?.chunk);
    writev.call(this, chunks, callback);
  };
  return () => ({ ...counts });
}
