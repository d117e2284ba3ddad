import net from 'node:net';
import type { RedisWriteCounts } from './server-protocol.js';

/** The command name at the start of a RESP request (`*3\r\n$7\r\nevalsha\r\n…` → `evalsha`). */
function firstCommand(chunk: unknown): string {
  const head = typeof chunk === 'string' ? chunk.slice(0, 48) : Buffer.isBuffer(chunk) ? chunk.toString('latin1', 0, 48) : '';
  const match = /^\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/.exec(head);
  return match ? match[1].toLowerCase() : '';
}

/**
 * Counts every `write` this process makes to a socket whose remote port is Redis's. ioredis writes one
 * buffer per (auto-)pipeline flush, so a write is one request round trip; replies are not counted.
 * Must be installed before the connections are opened; patching the prototype catches all of them.
 */
export function installRedisWriteCounter(redisPort: number): () => RedisWriteCounts {
  const counts: RedisWriteCounts = { total: 0, scripts: 0, publish: 0, other: 0 };
  const original = net.Socket.prototype.write;
  net.Socket.prototype.write = function countingWrite(this: net.Socket, chunk: unknown, ...rest: unknown[]): boolean {
    if (this.remotePort === redisPort) {
      counts.total += 1;
      const command = firstCommand(chunk);
      if (command === 'evalsha' || command === 'eval') counts.scripts += 1;
      else if (command === 'publish') counts.publish += 1;
      else counts.other += 1;
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof original;
  return () => ({ ...counts });
}
