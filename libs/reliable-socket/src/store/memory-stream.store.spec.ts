import { describe, expect, it } from '@jest/globals';
import { MemoryStreamStore } from './memory-stream.store.js';
import { META_TTL_MS } from './store-limits.policy.js';
import { describeStreamStoreContract } from './stream.store.contract.js';
import type { StreamStore } from './stream.store.js';

describeStreamStoreContract('MemoryStreamStore', async (options) => {
  let current = new MemoryStreamStore(options);
  // A memory store loses its data only with its process; swapping in a fresh instance is that restart.
  const store = new Proxy({} as StreamStore, {
    get: (_target, property: keyof StreamStore) => current[property].bind(current),
  });
  return {
    store,
    wipe: async () => {
      await current.close();
      current = new MemoryStreamStore(options);
    },
    cleanup: () => current.close(),
  };
});

describe('MemoryStreamStore (injected clock)', () => {
  const alice = { namespace: '/chat', stream: 'user:alice' };
  const withClock = (maxAgeMs = 1_000) => {
    const clock = { now: 1_000_000 };
    const store = new MemoryStreamStore({ retention: { maxLength: 100, maxAgeMs }, idempotencyTtlMs: 500, now: () => clock.now });
    return { clock, store };
  };

  it('keeps a message exactly maxAgeMs old and drops it one millisecond later', async () => {
    const { clock, store } = withClock(1_000);
    await store.append(alice, { event: 'e', data: 1 });
    clock.now += 1_000;
    expect((await store.read(alice, 0, 10)).messages).toHaveLength(1);
    clock.now += 1;
    expect(await store.read(alice, 0, 10)).toMatchObject({ first: 2, head: 1, messages: [] });
    await store.close();
  });

  it('stamps messages with its clock', async () => {
    const { clock, store } = withClock();
    await store.append(alice, { event: 'e', data: 1 });
    expect((await store.read(alice, 0, 1)).messages[0].ts).toBe(clock.now);
    await store.close();
  });

  it('forgets a stream untouched for the meta TTL, starting a new epoch, as Redis does', async () => {
    const { clock, store } = withClock();
    await store.append(alice, { event: 'e', data: 1 });
    await store.ack(alice, 1);
    const { epoch } = await store.state(alice);
    clock.now += META_TTL_MS;
    const after = await store.state(alice);
    expect(after).toMatchObject({ first: 1, head: 0 });
    expect(after.epoch).not.toBe(epoch);
    expect(await store.ackedOffset(alice)).toBe(0);
    await store.close();
  });

  it('refreshes the meta TTL on append and ack, but not on read', async () => {
    const { clock, store } = withClock();
    const { epoch } = await store.append(alice, { event: 'e', data: 1 });
    clock.now += META_TTL_MS - 1;
    await store.ack(alice, 1);
    clock.now += META_TTL_MS - 1;
    await store.read(alice, 0, 10);
    expect((await store.state(alice)).epoch).toBe(epoch);
    clock.now += 1;
    expect((await store.state(alice)).epoch).not.toBe(epoch);
    await store.close();
  });

  it('rejects invalid limits at construction', () => {
    expect(() => new MemoryStreamStore({ retention: { maxLength: 0, maxAgeMs: 1 }, idempotencyTtlMs: 1 })).toThrow(RangeError);
    expect(() => new MemoryStreamStore({ retention: { maxLength: 1, maxAgeMs: Infinity }, idempotencyTtlMs: 1 })).toThrow(RangeError);
  });
});
