import { MemoryStreamStore, RedisStreamStore } from '@reliable-socket/nestjs';

type Counted = 'append' | 'ack';

/**
 * Counts calls of the stores' `append` (one per emitted message) and `ack` (one per `rs:ack` a client
 * sends and per stream in it), so the Redis traffic of acks can be told apart from that of messages.
 * Wraps the prototypes of this process only; the library's files are untouched.
 */
export function installStoreCallCounter(): () => Record<Counted, number> {
  const counts: Record<Counted, number> = { append: 0, ack: 0 };
  for (const store of [RedisStreamStore.prototype, MemoryStreamStore.prototype]) {
    for (const method of ['append', 'ack'] as const) {
      const original = store[method] as (...args: unknown[]) => Promise<unknown>;
      (store as unknown as Record<Counted, unknown>)[method] = function counting(this: unknown, ...args: unknown[]) {
        counts[method] += 1;
        return original.apply(this, args);
      };
    }
  }
  return () => ({ ...counts });
}
