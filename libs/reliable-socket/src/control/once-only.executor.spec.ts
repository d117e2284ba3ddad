import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { resolveOptions } from '../config/options.resolver.js';
import { ExactlyOnceRunner } from '../handlers/exactly-once.runner.js';
import type { IdempotencyStore } from '../handlers/idempotency.store.js';
import { MemoryIdempotencyStore } from '../handlers/memory-idempotency.store.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { resolveControlOptions } from './control-module.options.js';
import { OnceOnlyExecutor } from './once-only.executor.js';
import { ReliableControlError } from './reliable-control.error.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('OnceOnlyExecutor', () => {
  let store: MemoryIdempotencyStore;
  const socketOptions = resolveOptions({ allowAnonymous: true });

  /** A node: its own executor over the store every node shares. */
  const node = (shared: IdempotencyStore = store, leaseMs = 10_000) =>
    new OnceOnlyExecutor(new ExactlyOnceRunner(shared, new ReliableMetrics()), socketOptions, resolveControlOptions({ patternPrefix: 'unit', leaseMs }));

  beforeAll(() => {
    Logger.overrideLogger(false); // the INTERNAL case logs the unexpected error by design
  });

  afterEach(async () => {
    await store.close();
  });

  it('executes a command received by three nodes once, and all three answer with its result', async () => {
    store = new MemoryIdempotencyStore();
    let runs = 0;
    const work = async () => {
      runs += 1;
      await sleep(50);
      return { recipients: 3, run: runs };
    };
    const nodes = [node(), node(), node()];
    const replies = await Promise.all(nodes.map((executor) => executor.run('broadcast', 'req-1', work)));
    expect(runs).toBe(1);
    expect(replies).toEqual([{ recipients: 3, run: 1 }, { recipients: 3, run: 1 }, { recipients: 3, run: 1 }]);
  });

  it('answers a repeat of the request id with the recorded reply; the same id on another command is another request', async () => {
    store = new MemoryIdempotencyStore();
    let runs = 0;
    const work = async () => ++runs;
    expect(await node().run('disconnect', 'req-2', work)).toBe(1);
    expect(await node().run('disconnect', 'req-2', work)).toBe(1);
    expect(await node().run('clearRooms', 'req-2', work)).toBe(2);
    expect(runs).toBe(2);
  });

  it('records a failure like a result: every node rejects with the same code and message', async () => {
    store = new MemoryIdempotencyStore();
    let runs = 0;
    const failing = async (): Promise<never> => {
      runs += 1;
      await sleep(20);
      throw new ReliableControlError('NOT_FOUND', 'no campaign c-9');
    };
    const outcomes = await Promise.allSettled([node(), node(), node()].map((executor) => executor.run('campaign.pause', 'req-3', failing)));
    expect(runs).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as ReliableControlError;
      expect(error).toBeInstanceOf(ReliableControlError);
      expect({ code: error.code, message: error.message }).toEqual({ code: 'NOT_FOUND', message: 'no campaign c-9' });
    }
  });

  it('turns an unexpected error into INTERNAL with nothing internal in it', async () => {
    store = new MemoryIdempotencyStore();
    const leaking = async (): Promise<never> => {
      throw new Error('redis://admin:hunter2@10.0.0.5 refused');
    };
    const error = await node().run('broadcast', 'req-4', leaking).catch((caught: unknown) => caught as ReliableControlError);
    expect(error).toBeInstanceOf(ReliableControlError);
    expect(error.toReply()).toEqual({ code: 'INTERNAL', message: 'Internal error' });
  });

  it('lets another node execute the command once the executing node died (its lease ran out)', async () => {
    store = new MemoryIdempotencyStore();
    // After claiming, nothing of the "dead" node reaches the store any more: no renewal, no completion.
    let alive = true;
    const dying: IdempotencyStore = {
      claim: (...args) => store.claim(...args),
      renew: async (...args) => alive && store.renew(...args),
      complete: async (key, token, reply, ttlMs) => (alive ? store.complete(key, token, reply, ttlMs) : reply),
      completedSequence: (key) => store.completedSequence(key),
      recordSequence: (...args) => store.recordSequence(...args),
      claimBatch: (...args) => store.claimBatch(...args),
      renewBatch: async (entries, leaseMs) => (alive ? store.renewBatch(entries, leaseMs) : entries.map(() => false)),
      completeBatch: async (entries, ttlMs) => (alive ? store.completeBatch(entries, ttlMs) : entries.map((entry) => entry.reply)),
      completeThenClaim: async (completions, claims) => (alive
        ? store.completeThenClaim(completions, claims)
        : { completed: completions.entries.map((entry) => entry.reply), claimed: await store.claimBatch(claims.keys, claims.token, claims.leaseMs) }),
      release: async (key, token) => alive && store.release(key, token),
    };
    const executions: string[] = [];
    let release: (value: { id: string }) => void = () => undefined;
    const deadRun = node(dying, 200).run('campaign.start', 'req-5', () => {
      executions.push('dead node');
      alive = false;
      return new Promise<{ id: string }>((resolve) => (release = resolve)); // hangs: the process is gone mid-command
    });
    await sleep(10);
    const survivor = await node(store, 200).run('campaign.start', 'req-5', async () => {
      executions.push('survivor');
      return { id: 'c-1' };
    });
    expect(survivor).toEqual({ id: 'c-1' });
    expect(executions).toEqual(['dead node', 'survivor']);
    // What the dead node would have answered never reached the store: the survivor's reply is the record.
    release({ id: 'c-dead' });
    await deadRun;
    expect(await node().run('campaign.start', 'req-5', async () => ({ id: 'never run' }))).toEqual({ id: 'c-1' });
  });
});
