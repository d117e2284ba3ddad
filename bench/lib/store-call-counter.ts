import { MemoryStreamStore, RedisStreamStore } from '@reliable-socket/nestjs';

type Counted = 'append' | 'ack';

/**
 * Counts the stores' append script calls and `ack` calls (one per `rs:ack` a client sends and per
 * stream in it), so the Redis traffic of acks can be told apart from that of messages. Appends are
 * counted at `appendBatch`, which stores every emit of a stream queued in one event-loop turn in one
 * script call (`append` delegates to it): so "appends per message" is below 1 when emits are batched.
 * Wraps the prototypes of this process only; the library's files are untouched.
 */
export function installStoreCallCounter(): () => Record<Counted, number> {
  const counts: Record<Counted, number> = { append: 0, ack: 0 };
  const counted = { appendBatch: 'append', ack: 'ack' } as const;
  for (const store of [RedisStreamStore.prototype, MemoryStreamStore.prototype]) {
    for (const [method, counter] of Object.entries(counted) as Array<[keyof typeof counted, Counted]>) {
      const original = store[method] as (...args: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[method] = function counting(this: unknown, ...args: unknown[]) {
        counts[counter] += 1;
        return original.apply(this, args);
      };
    }
  }
  return () => ({ ...counts });
}
