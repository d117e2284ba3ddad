import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { ExactlyOnceRunner, type ReliableInvocation } from './exactly-once.runner.js';
import { MemoryIdempotencyStore } from './memory-idempotency.store.js';
import type { Completion } from './idempotency.store.js';
import type { SendReply } from '@reliable-socket/client/protocol';
import { StoreUnavailableError } from '../store/store-unavailable.error.js';
import { sleep, waitFor } from '../../../../test/support/wait.js';

/** A memory store whose recordings wait until the test lets them through (or fail, if told to). */
class HeldRecordsStore extends MemoryIdempotencyStore {
  private held: Array<() => void> = [];
  failRecords = false;

  get waiting(): number {
    return this.held.length;
  }

  override async completeBatch(entries: Completion[], ttlMs: number): Promise<SendReply[]> {
    if (entries.length === 0) return []; // a claim-only turn: nothing to record
    await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failRecords) throw new StoreUnavailableError();
    return super.completeBatch(entries, ttlMs);
  }

  letRecordsThrough(): void {
    const held = this.held;
    this.held = [];
    held.forEach((resolve) => resolve());
  }
}

const options = { ordered: false, leaseMs: 5_000, dedupeTtlMs: 60_000, maxPayloadBytes: 1_024, orderWaitMs: 1_000 };

class CountingMetrics extends ReliableMetrics {
  readonly dedupeHits: string[] = [];
  override dedupeHit(namespace: string): void {
    this.dedupeHits.push(namespace);
  }
}

function invocation(messageId: string, invoke: () => Promise<unknown>): ReliableInvocation {
  return { key: { namespace: '/chat', userId: 'alice', event: 'send', messageId }, options, invoke };
}

describe('ExactlyOnceRunner', () => {
  it('tracks runs in progress until they settle', async () => {
    const runner = new ExactlyOnceRunner(new MemoryIdempotencyStore(), new ReliableMetrics());
    const done = runner.run(invocation('m1', async () => {
      await sleep(150);
      return 'ok';
    }));
    await sleep(20);
    expect(runner.running).toBe(1);
    expect(await runner.whenIdle(20)).toBe(false);
    expect(await runner.whenIdle(2_000)).toBe(true);
    expect(await done).toEqual({ ok: true, result: 'ok' });
    expect(runner.running).toBe(0);
  });

  it('is idle at once when nothing runs, and counts failed runs as settled', async () => {
    const runner = new ExactlyOnceRunner(new MemoryIdempotencyStore(), new ReliableMetrics());
    expect(await runner.whenIdle(0)).toBe(true);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const reply = await runner.run(invocation('m2', async () => {
      throw new Error('boom');
    }));
    logged.mockRestore();
    expect(reply.ok).toBe(false);
    expect(await runner.whenIdle(0)).toBe(true);
  });

  it('counts a duplicate answered from the record as a dedupe hit', async () => {
    const metrics = new CountingMetrics();
    const runner = new ExactlyOnceRunner(new MemoryIdempotencyStore(), metrics);
    let runs = 0;
    const handler = async (): Promise<number> => (runs += 1);
    expect(await runner.run(invocation('m3', handler))).toEqual({ ok: true, result: 1 });
    expect(await runner.run(invocation('m3', handler))).toEqual({ ok: true, result: 1 });
    expect(runs).toBe(1);
    expect(metrics.dedupeHits).toEqual(['/chat']);
  });

  it('records a result JSON cannot carry as INTERNAL without failing the others of its batch', async () => {
    const runner = new ExactlyOnceRunner(new MemoryIdempotencyStore(), new ReliableMetrics());
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const [good, bad] = await Promise.all([
      runner.run(invocation('m4', async () => 'fine')),
      runner.run(invocation('m5', async () => ({ big: 10n }))),
    ]);
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
    expect(good).toEqual({ ok: true, result: 'fine' });
    expect(bad).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
  });

  it('answers as soon as the handler returns and records the reply meanwhile, a duplicate waiting for the record', async () => {
    const store = new HeldRecordsStore();
    const runner = new ExactlyOnceRunner(store, new ReliableMetrics());
    let runs = 0;
    const handler = async (): Promise<{ n: number; at?: undefined }> => ({ n: (runs += 1), at: undefined });

    // The answer is the reply as recorded (through JSON), before the record has landed.
    expect(await runner.run(invocation('m6', handler))).toEqual({ ok: true, result: { n: 1 } });
    await waitFor(() => store.waiting === 1, { timeoutMs: 2_000, message: 'the reply to be handed to the store' });
    expect(runner.running).toBe(1); // the recording is part of the run, for a draining node
    expect(await runner.whenIdle(20)).toBe(false);

    let duplicateAnswer: SendReply | undefined;
    const duplicate = runner.run(invocation('m6', handler)).then((reply) => (duplicateAnswer = reply));
    await sleep(50);
    expect(duplicateAnswer).toBeUndefined(); // waits on the lease, which the record has not replaced yet
    store.letRecordsThrough();
    await duplicate;
    expect(duplicateAnswer).toEqual({ ok: true, result: { n: 1 } });
    expect(runs).toBe(1);
    expect(await runner.whenIdle(1_000)).toBe(true);
  });

  it('answers an ordered message only once its reply is recorded, since the next one waits for that record', async () => {
    const store = new HeldRecordsStore();
    const runner = new ExactlyOnceRunner(store, new ReliableMetrics());
    const ordered: ReliableInvocation = {
      ...invocation('m7', async () => 'first'),
      options: { ...options, ordered: true },
      sequence: { key: { namespace: '/chat', userId: 'alice', senderId: 's1', event: 'send' }, seq: 1 },
    };
    let answer: SendReply | undefined;
    const done = runner.run(ordered).then((reply) => (answer = reply));
    await waitFor(() => store.waiting === 1, { timeoutMs: 2_000, message: 'the reply to be handed to the store' });
    await sleep(20);
    expect(answer).toBeUndefined();
    store.letRecordsThrough();
    await done;
    expect(answer).toEqual({ ok: true, result: 'first' });
    expect(await store.completedSequence(ordered.sequence!.key)).toBe(1);
  });

  it('still answers when the reply cannot be recorded, says so in the log, and settles the run', async () => {
    const store = new HeldRecordsStore();
    store.failRecords = true;
    const runner = new ExactlyOnceRunner(store, new ReliableMetrics());
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(await runner.run(invocation('m8', async () => 'done'))).toEqual({ ok: true, result: 'done' });
      await waitFor(() => store.waiting === 1, { timeoutMs: 2_000, message: 'the reply to be handed to the store' });
      store.letRecordsThrough();
      expect(await runner.whenIdle(1_000)).toBe(true);
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('message m8 was sent but not recorded'));
    } finally {
      warned.mockRestore();
    }
  });
});
