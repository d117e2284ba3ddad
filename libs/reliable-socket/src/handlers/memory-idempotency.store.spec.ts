import { describe, expect, it } from '@jest/globals';
import { sleep, waitFor } from '../../../../test/support/wait.js';
import { describeIdempotencyStoreContract } from './idempotency.store.contract.js';
import { MemoryIdempotencyStore } from './memory-idempotency.store.js';

describeIdempotencyStoreContract('MemoryIdempotencyStore', async () => {
  const store = new MemoryIdempotencyStore();
  // One process is one node: the peer is the same store.
  return { store, peer: store, cleanup: () => store.close() };
});

describe('MemoryIdempotencyStore (injected clock)', () => {
  const key = { namespace: '/chat', userId: 'alice', event: 'send', messageId: 'm1' };
  const sender = { namespace: '/chat', userId: 'alice', senderId: 's1', event: 'send' };
  const withClock = (sweepIntervalMs?: number) => {
    const clock = { now: 1_000_000 };
    const store = new MemoryIdempotencyStore({ now: () => clock.now, sweepIntervalMs });
    return { clock, store };
  };

  it('holds a lease for exactly leaseMs, counting retryAfterMs down to 1', async () => {
    const { clock, store } = withClock();
    await store.claim(key, 'a', 1_000);
    clock.now += 400;
    expect(await store.claim(key, 'b', 1_000)).toEqual({ status: 'busy', retryAfterMs: 600 });
    clock.now += 599;
    expect(await store.claim(key, 'b', 1_000)).toEqual({ status: 'busy', retryAfterMs: 1 });
    clock.now += 1;
    expect(await store.claim(key, 'b', 1_000)).toEqual({ status: 'claimed' });
    await store.close();
  });

  it('keeps a reply for exactly ttlMs and a sequence for ttlMs after its last record', async () => {
    const { clock, store } = withClock();
    await store.complete(key, 'a', { ok: true, result: 1 }, 500);
    await store.recordSequence(sender, 3, 500);
    clock.now += 300;
    await store.recordSequence(sender, 2, 500); // lower: value kept, TTL refreshed
    clock.now += 200;
    expect(await store.claim(key, 'b', 1_000)).toEqual({ status: 'claimed' });
    expect(await store.completedSequence(sender)).toBe(3);
    clock.now += 300;
    expect(await store.completedSequence(sender)).toBe(0);
    await store.close();
  });

  it('replaces an expired entry in place instead of adding one', async () => {
    const { clock, store } = withClock();
    await store.claim(key, 'a', 100);
    clock.now += 100;
    expect(await store.claim(key, 'b', 100)).toEqual({ status: 'claimed' });
    await store.complete(key, 'b', { ok: true, result: 1 }, 100);
    await store.recordSequence(sender, 1, 100);
    clock.now += 100;
    await store.recordSequence(sender, 1, 100);
    expect(store.size).toBe(2);
    await store.close();
  });

  it('sweeps expired entries nobody touches again', async () => {
    const { clock, store } = withClock(10);
    await store.claim(key, 'a', 100);
    await store.complete({ ...key, messageId: 'm2' }, 'a', { ok: true, result: null }, 200);
    await store.recordSequence(sender, 1, 300);
    clock.now += 200;
    await waitFor(() => store.size === 1, { timeoutMs: 2_000, message: 'lease and reply swept' });
    expect(await store.completedSequence(sender)).toBe(1);
    clock.now += 100;
    await waitFor(() => store.size === 0, { timeoutMs: 2_000, message: 'sequence swept' });
    await store.close();
  });

  it('stops sweeping once closed', async () => {
    const { clock, store } = withClock(10);
    await store.claim(key, 'a', 100);
    await store.close();
    clock.now += 1_000;
    await sleep(60);
    expect(store.size).toBe(1);
  });

  it('rejects a sweep interval that is not positive whole milliseconds', () => {
    expect(() => new MemoryIdempotencyStore({ sweepIntervalMs: 0 })).toThrow(RangeError);
    expect(() => new MemoryIdempotencyStore({ sweepIntervalMs: 0.5 })).toThrow(RangeError);
  });
});
