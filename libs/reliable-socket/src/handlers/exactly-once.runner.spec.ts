import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { ExactlyOnceRunner, type ReliableInvocation } from './exactly-once.runner.js';
import { MemoryIdempotencyStore } from './memory-idempotency.store.js';

const options = { ordered: false, leaseMs: 5_000, dedupeTtlMs: 60_000, maxPayloadBytes: 1_024, orderWaitMs: 1_000 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
});
