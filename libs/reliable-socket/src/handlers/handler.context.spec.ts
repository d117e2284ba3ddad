import { describe, expect, it } from '@jest/globals';
import { nextEmitIdempotencyKey, runInHandlerContext } from './handler.context.js';
import type { MessageKey } from './idempotency.store.js';

const message = (messageId: string): MessageKey => ({ namespace: '/chat', userId: 'ann', event: 'send', messageId });
const scope = (messageId: string): string => JSON.stringify(['/chat', 'ann', 'send', messageId]);

/** A promise the test settles by hand, and a macrotask for awaits to cross. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runInHandlerContext', () => {
  it('numbers the emits of a run from its message id, across awaits and timers', async () => {
    const keys = await runInHandlerContext(message('m1'), async () => {
      const first = nextEmitIdempotencyKey();
      await nextTurn();
      const second = await new Promise((resolve) => setTimeout(() => resolve(nextEmitIdempotencyKey()), 1));
      return [first, second];
    });
    expect(keys).toEqual([`${scope('m1')}#0`, `${scope('m1')}#1`]);
  });

  it('keeps each concurrent run its own context when another run finishes first', async () => {
    const gate = deferred();
    const slow = runInHandlerContext(message('slow'), async () => {
      const before = nextEmitIdempotencyKey();
      await gate.promise;
      await nextTurn();
      return [before, nextEmitIdempotencyKey()];
    });
    const fast = await runInHandlerContext(message('fast'), async () => nextEmitIdempotencyKey());
    await nextTurn(); // the fast run has settled while the slow one waits
    gate.resolve();
    expect(fast).toBe(`${scope('fast')}#0`);
    expect(await slow).toEqual([`${scope('slow')}#0`, `${scope('slow')}#1`]);
  });

  it('gives no key outside a run, also after runs ended, and a new run has a fresh context', async () => {
    expect(nextEmitIdempotencyKey()).toBeUndefined();
    await runInHandlerContext(message('a'), async () => nextEmitIdempotencyKey());
    expect(nextEmitIdempotencyKey()).toBeUndefined();
    await nextTurn();
    expect(nextEmitIdempotencyKey()).toBeUndefined();
    expect(await runInHandlerContext(message('b'), async () => nextEmitIdempotencyKey())).toBe(`${scope('b')}#0`);
  });

  it('settles with what the handler threw, and the next run still has its context', async () => {
    await expect(runInHandlerContext(message('x'), async () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await runInHandlerContext(message('y'), async () => {
      await nextTurn();
      return nextEmitIdempotencyKey();
    })).toBe(`${scope('y')}#0`);
  });
});
