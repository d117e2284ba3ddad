import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SendReply } from '@reliable-socket/client/protocol';
import type { IdempotencyStore, MessageKey, SequenceKey } from './idempotency.store.js';
import { sleep } from '../../../../test/support/wait.js';

/** A store, a second node on the same data, and the means to release both. */
export interface IdempotencyStoreUnderTest {
  store: IdempotencyStore;
  /** Another node sharing the store's data (Redis: another connection); a single-process store passes itself. */
  peer: IdempotencyStore;
  cleanup(): Promise<void>;
}

const LONG_MS = 60_000;
const SHORT_MS = 150;
/** Past SHORT_MS with room for timer and Redis-clock jitter. */
const PAST_SHORT_MS = SHORT_MS + 100;

const ok = (result: unknown): SendReply => ({ ok: true, result });

/**
 * Declares the behaviour every {@link IdempotencyStore} must have. The factory is called once; each
 * test works in its own namespace, so nothing needs wiping between tests.
 */
export function describeIdempotencyStoreContract(name: string, factory: () => Promise<IdempotencyStoreUnderTest>): void {
  let subject: IdempotencyStoreUnderTest;
  let namespace: string;

  const message = (overrides: Partial<MessageKey> = {}): MessageKey =>
    ({ namespace, userId: 'alice', event: 'send', messageId: 'm1', ...overrides });
  const sender = (overrides: Partial<SequenceKey> = {}): SequenceKey =>
    ({ namespace, userId: 'alice', senderId: 's1', event: 'send', ...overrides });

  describe(`IdempotencyStore contract: ${name}`, () => {
    beforeAll(async () => {
      subject = await factory();
    });
    beforeEach(() => {
      namespace = `/t-${randomUUID()}`;
    });
    afterAll(() => subject?.cleanup());

    describe('leases', () => {
      it('grants a fresh message to the first claimer and reports the others busy for at most the lease', async () => {
        expect(await subject.store.claim(message(), 'a', 5_000)).toEqual({ status: 'claimed' });
        const busy = await subject.peer.claim(message(), 'b', 1_000);
        expect(busy).toEqual({ status: 'busy', retryAfterMs: expect.any(Number) });
        const { retryAfterMs } = busy as { retryAfterMs: number };
        expect(retryAfterMs).toBeGreaterThan(4_000); // the holder's lease, not the asker's
        expect(retryAfterMs).toBeLessThanOrEqual(5_000);
      });

      it('lets the holder claim again, which restarts its lease', async () => {
        await subject.store.claim(message(), 'a', 1_000);
        expect(await subject.peer.claim(message(), 'a', 5_000)).toEqual({ status: 'claimed' });
        const busy = (await subject.store.claim(message(), 'b', 1_000)) as { status: string; retryAfterMs: number };
        expect(busy.status).toBe('busy');
        expect(busy.retryAfterMs).toBeGreaterThan(1_000);
      });

      it('hands a message whose lease expired to another attempt (its node died)', async () => {
        await subject.store.claim(message(), 'a', SHORT_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toEqual({ status: 'claimed' });
        expect(await subject.store.claim(message(), 'a', LONG_MS)).toMatchObject({ status: 'busy' });
      });

      it('extends the holder lease on renew, past the original expiry', async () => {
        await subject.store.claim(message(), 'a', 300);
        await sleep(100);
        expect(await subject.store.renew(message(), 'a', 800)).toBe(true);
        await sleep(350); // the original lease has expired; the renewed one has ~450 ms left
        const busy = (await subject.peer.claim(message(), 'b', LONG_MS)) as { status: string; retryAfterMs: number };
        expect(busy.status).toBe('busy');
        expect(busy.retryAfterMs).toBeGreaterThan(100);
        expect(busy.retryAfterMs).toBeLessThanOrEqual(800);
      });

      it('refuses renew to an attempt whose lease was taken over, and to a non-holder', async () => {
        await subject.store.claim(message(), 'a', SHORT_MS);
        await sleep(PAST_SHORT_MS);
        await subject.peer.claim(message(), 'b', LONG_MS);
        expect(await subject.store.renew(message(), 'a', LONG_MS)).toBe(false);
        expect(await subject.store.renew(message(), 'c', LONG_MS)).toBe(false);
        expect(await subject.store.renew(message(), 'b', LONG_MS)).toBe(true);
        expect(await subject.store.claim(message(), 'a', LONG_MS)).toMatchObject({ status: 'busy' });
      });

      it('refuses renew once the message is done, to the completer and to anyone else', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        await subject.store.complete(message(), 'a', ok(1), LONG_MS);
        expect(await subject.store.renew(message(), 'a', LONG_MS)).toBe(false);
        expect(await subject.peer.renew(message(), 'b', LONG_MS)).toBe(false);
        expect(await subject.store.claim(message(), 'b', LONG_MS)).toEqual({ status: 'done', reply: ok(1) });
      });

      it('takes back on renew a lease that expired while nobody took it over', async () => {
        await subject.store.claim(message(), 'a', SHORT_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.renew(message(), 'a', LONG_MS)).toBe(true);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toMatchObject({ status: 'busy' });
      });

      it('releases the holder lease at once, so another attempt claims without waiting for it to expire', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        expect(await subject.peer.release(message(), 'a')).toBe(true);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toEqual({ status: 'claimed' });
      });

      it('refuses release to a non-holder, of a done message and of an absent one, changing nothing', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        expect(await subject.store.release(message(), 'b')).toBe(false);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toMatchObject({ status: 'busy' });
        await subject.store.complete(message(), 'a', ok('kept'), LONG_MS);
        expect(await subject.store.release(message(), 'a')).toBe(false);
        expect(await subject.peer.claim(message(), 'c', LONG_MS)).toEqual({ status: 'done', reply: ok('kept') });
        expect(await subject.store.release(message({ messageId: 'never-claimed' }), 'a')).toBe(false);
      });

      it('grants exactly one of 50 concurrent claims of a fresh message, across nodes', async () => {
        const nodes = [subject.store, subject.peer];
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, n) => nodes[n % 2].claim(message({ messageId: 'race' }), `token-${n}`, LONG_MS)),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'claimed')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.status === 'busy')).toHaveLength(49);
      });
    });

    describe('completion', () => {
      const replies: [string, SendReply][] = [
        ['a null result', ok(null)],
        ['a nested result', ok({ list: [1, 'two', { three: [true, false] }], empty: {}, n: -1.5 })],
        ['a unicode string', ok('ünïcode ✓ 🚀 "quoted" \\ back')],
        ['a number', ok(0)],
        ['an error', { ok: false, error: { code: 'FORBIDDEN', message: 'not yours' } }],
        ['an error with details', { ok: false, error: { code: 'VALIDATION', message: 'bad', details: { field: ['too long'] } } }],
      ];

      it.each(replies)('answers later claims with the recorded reply: %s', async (_label, reply) => {
        await subject.store.claim(message(), 'a', LONG_MS);
        expect(await subject.store.complete(message(), 'a', reply, LONG_MS)).toEqual(reply);
        expect(await subject.store.claim(message(), 'a', LONG_MS)).toEqual({ status: 'done', reply });
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toEqual({ status: 'done', reply });
      });

      it('keeps the first reply: a later completion resolves to it and overwrites nothing', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        await subject.store.complete(message(), 'a', ok('first'), LONG_MS);
        expect(await subject.peer.complete(message(), 'b', ok('second'), LONG_MS)).toEqual(ok('first'));
        expect(await subject.peer.complete(message(), 'a', { ok: false, error: { code: 'X', message: 'x' } }, LONG_MS)).toEqual(ok('first'));
        expect(await subject.store.claim(message(), 'c', LONG_MS)).toEqual({ status: 'done', reply: ok('first') });
      });

      it('keeps the first reply for the ttlMs of a later completion too, counted from that one', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        await subject.store.complete(message(), 'a', ok('first'), SHORT_MS);
        expect(await subject.peer.complete(message(), 'b', ok('second'), LONG_MS)).toEqual(ok('first'));
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.claim(message(), 'c', LONG_MS)).toEqual({ status: 'done', reply: ok('first') });
      });

      it('records a completion whose lease expired when nobody else completed', async () => {
        await subject.store.claim(message(), 'a', SHORT_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.complete(message(), 'a', ok('late'), LONG_MS)).toEqual(ok('late'));
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toEqual({ status: 'done', reply: ok('late') });
      });

      it('lets the first completion win over a live lease of a duplicate attempt', async () => {
        await subject.store.claim(message(), 'a', SHORT_MS);
        await sleep(PAST_SHORT_MS);
        await subject.peer.claim(message(), 'b', LONG_MS); // the duplicate attempt, after a's lease was lost
        expect(await subject.store.complete(message(), 'a', ok('from a'), LONG_MS)).toEqual(ok('from a'));
        expect(await subject.peer.renew(message(), 'b', LONG_MS)).toBe(false);
        expect(await subject.peer.complete(message(), 'b', ok('from b'), LONG_MS)).toEqual(ok('from a'));
      });

      it('resolves concurrent completions to one reply', async () => {
        const nodes = [subject.store, subject.peer];
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, n) => nodes[n % 2].complete(message(), `token-${n}`, ok(n), LONG_MS)),
        );
        expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
        expect(await subject.store.claim(message(), 'z', LONG_MS)).toEqual({ status: 'done', reply: results[0] });
      });

      it('stores a snapshot: mutating the result after completion changes nothing', async () => {
        const result = { items: ['kept'] };
        await subject.store.complete(message(), 'a', ok(result), LONG_MS);
        result.items.push('added later');
        expect(await subject.store.claim(message(), 'b', LONG_MS)).toEqual({ status: 'done', reply: ok({ items: ['kept'] }) });
      });

      it('forgets a reply after ttlMs: the message can be claimed again', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        await subject.store.complete(message(), 'a', ok(1), SHORT_MS);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toMatchObject({ status: 'done' });
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toEqual({ status: 'claimed' });
      });
    });

    describe('batches', () => {
      const ids = (...messageIds: string[]): MessageKey[] => messageIds.map((messageId) => message({ messageId }));

      it('claims a batch under one token with per-key outcomes, in input order', async () => {
        await subject.store.complete(message({ messageId: 'done' }), 'x', ok('earlier'), LONG_MS);
        await subject.peer.claim(message({ messageId: 'busy' }), 'other', 5_000);
        await subject.store.claim(message({ messageId: 'mine' }), 'a', 1_000);
        const outcomes = await subject.store.claimBatch(ids('fresh', 'done', 'busy', 'mine'), 'a', LONG_MS);
        expect(outcomes).toEqual([
          { status: 'claimed' },
          { status: 'done', reply: ok('earlier') },
          { status: 'busy', retryAfterMs: expect.any(Number) },
          { status: 'claimed' },
        ]);
        const { retryAfterMs } = outcomes[2] as { retryAfterMs: number };
        expect(retryAfterMs).toBeGreaterThan(4_000); // the other holder's lease
        expect(retryAfterMs).toBeLessThanOrEqual(5_000);
        // The batch's leases are the token's: others are kept out, and 'mine' now has the batch's lease.
        for (const id of ['fresh', 'mine']) {
          const busy = (await subject.peer.claim(message({ messageId: id }), 'b', LONG_MS)) as { status: string; retryAfterMs: number };
          expect(busy.status).toBe('busy');
          expect(busy.retryAfterMs).toBeGreaterThan(1_000);
        }
      });

      it('claims a key repeated in one batch once, reporting claimed for the repeat too (same token)', async () => {
        expect(await subject.store.claimBatch(ids('m1', 'm2', 'm1'), 'a', LONG_MS))
          .toEqual([{ status: 'claimed' }, { status: 'claimed' }, { status: 'claimed' }]);
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toMatchObject({ status: 'busy' });
        // Repeats of a key another token holds are busy each time.
        expect(await subject.peer.claimBatch(ids('m1', 'm1'), 'b', LONG_MS)).toMatchObject([{ status: 'busy' }, { status: 'busy' }]);
      });

      it('grants each key of overlapping concurrent batches to exactly one token', async () => {
        const nodes = [subject.store, subject.peer];
        const keys = ids('k0', 'k1', 'k2', 'k3', 'k4');
        const batches = await Promise.all(
          Array.from({ length: 10 }, (_, n) => nodes[n % 2].claimBatch([...keys.slice(n % 5), ...keys.slice(0, n % 5)], `t-${n}`, LONG_MS)),
        );
        for (const key of keys) {
          const claimed = batches.filter((outcomes, n) => outcomes[(keys.indexOf(key) - (n % 5) + 5) % 5].status === 'claimed');
          expect(claimed).toHaveLength(1);
        }
      });

      it('completes a batch: the first completion wins per key, in the batch too', async () => {
        await subject.store.claimBatch(ids('m1', 'm2', 'm3'), 'a', LONG_MS);
        await subject.peer.complete(message({ messageId: 'm1' }), 'b', ok('first'), LONG_MS);
        const error: SendReply = { ok: false, error: { code: 'X', message: 'x' } };
        expect(await subject.store.completeBatch([
          { key: message({ messageId: 'm1' }), token: 'a', reply: ok('late') },
          { key: message({ messageId: 'm2' }), token: 'a', reply: ok('two') },
          { key: message({ messageId: 'm3' }), token: 'a', reply: error },
          { key: message({ messageId: 'm2' }), token: 'c', reply: ok('repeat') },
        ], LONG_MS)).toEqual([ok('first'), ok('two'), error, ok('two')]);
        expect(await subject.peer.claimBatch(ids('m1', 'm2', 'm3'), 'z', LONG_MS))
          .toEqual([{ status: 'done', reply: ok('first') }, { status: 'done', reply: ok('two') }, { status: 'done', reply: error }]);
      });

      it('renews a batch with per-entry tokens: held, lost, done, and taken back after expiry', async () => {
        await subject.store.claim(message({ messageId: 'held' }), 'a', 1_000);
        await subject.peer.claim(message({ messageId: 'other' }), 'b', LONG_MS);
        await subject.store.claim(message({ messageId: 'done' }), 'a', LONG_MS);
        await subject.store.complete(message({ messageId: 'done' }), 'a', ok(1), LONG_MS);
        await subject.store.claim(message({ messageId: 'expired' }), 'c', SHORT_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.renewBatch([
          { key: message({ messageId: 'held' }), token: 'a' },
          { key: message({ messageId: 'other' }), token: 'a' },
          { key: message({ messageId: 'done' }), token: 'a' },
          { key: message({ messageId: 'expired' }), token: 'c' },
          { key: message({ messageId: 'other' }), token: 'b' },
        ], 5_000)).toEqual([true, false, false, true, true]);
        const busy = (await subject.peer.claim(message({ messageId: 'held' }), 'z', LONG_MS)) as { status: string; retryAfterMs: number };
        expect(busy.status).toBe('busy');
        expect(busy.retryAfterMs).toBeGreaterThan(4_000); // extended past the original 1 s
        expect(await subject.peer.claim(message({ messageId: 'expired' }), 'z', LONG_MS)).toMatchObject({ status: 'busy' });
      });

      it('completes, then claims, in one turn: a duplicate claimed in the same turn gets the reply just recorded', async () => {
        await subject.store.claim(message({ messageId: 'm1' }), 'a', LONG_MS);
        await subject.peer.claim(message({ messageId: 'held' }), 'x', LONG_MS);
        const turn = await subject.store.completeThenClaim(
          { entries: [{ key: message({ messageId: 'm1' }), token: 'a', reply: ok('one') }], ttlMs: LONG_MS },
          { keys: ids('m1', 'm2', 'held'), token: 'b', leaseMs: LONG_MS },
        );
        expect(turn.completed).toEqual([ok('one')]);
        expect(turn.claimed).toEqual([{ status: 'done', reply: ok('one') }, { status: 'claimed' }, expect.objectContaining({ status: 'busy' })]);
        expect(await subject.peer.claim(message({ messageId: 'm2' }), 'c', LONG_MS)).toMatchObject({ status: 'busy' });
        expect(await subject.store.completeThenClaim({ entries: [], ttlMs: LONG_MS }, { keys: [], token: 'b', leaseMs: LONG_MS }))
          .toEqual({ completed: [], claimed: [] });
      });

      it('records nothing and claims nothing of a turn holding a reply JSON cannot carry', async () => {
        await expect(subject.store.completeThenClaim(
          { entries: [{ key: message({ messageId: 'bad' }), token: 'a', reply: ok(10n) }], ttlMs: LONG_MS },
          { keys: ids('m2'), token: 'a', leaseMs: LONG_MS },
        )).rejects.toThrow(TypeError);
        expect(await subject.peer.claimBatch(ids('bad', 'm2'), 'z', LONG_MS)).toEqual([{ status: 'claimed' }, { status: 'claimed' }]);
      });

      it('handles a 100-key batch in input order', async () => {
        const keys = Array.from({ length: 100 }, (_, n) => message({ messageId: `m${n}` }));
        expect(await subject.store.claimBatch(keys, 'a', LONG_MS)).toEqual(keys.map(() => ({ status: 'claimed' })));
        expect(await subject.store.renewBatch(keys.map((key) => ({ key, token: 'a' })), LONG_MS)).toEqual(keys.map(() => true));
        const replies = keys.map((_, n) => ok(n));
        expect(await subject.store.completeBatch(keys.map((key, n) => ({ key, token: 'a', reply: replies[n] })), LONG_MS)).toEqual(replies);
        expect(await subject.peer.claimBatch(keys, 'b', LONG_MS)).toEqual(replies.map((reply) => ({ status: 'done', reply })));
      });

      it('resolves empty batches to empty results', async () => {
        expect(await subject.store.claimBatch([], 'a', LONG_MS)).toEqual([]);
        expect(await subject.store.renewBatch([], LONG_MS)).toEqual([]);
        expect(await subject.store.completeBatch([], LONG_MS)).toEqual([]);
      });

      it('rejects a batch spanning users or namespaces (one Redis slot per batch), changing nothing', async () => {
        for (const stray of [message({ userId: 'bob', messageId: 'm2' }), message({ namespace: `${namespace}/other`, messageId: 'm2' })]) {
          await expect(subject.store.claimBatch([message(), stray], 'a', LONG_MS)).rejects.toThrow(RangeError);
          await expect(subject.store.renewBatch([{ key: message(), token: 'a' }, { key: stray, token: 'a' }], LONG_MS)).rejects.toThrow(/one user/);
          await expect(subject.store.completeBatch([{ key: message(), token: 'a', reply: ok(1) }, { key: stray, token: 'a', reply: ok(2) }], LONG_MS))
            .rejects.toThrow(RangeError);
          await expect(subject.store.completeThenClaim({ entries: [{ key: message(), token: 'a', reply: ok(1) }], ttlMs: LONG_MS }, { keys: [stray], token: 'a', leaseMs: LONG_MS }))
            .rejects.toThrow(RangeError);
          expect(await subject.peer.claim(stray, 'b', LONG_MS)).toEqual({ status: 'claimed' });
        }
        expect(await subject.peer.claim(message(), 'b', LONG_MS)).toEqual({ status: 'claimed' });
      });

      it('records nothing of a batch holding a reply JSON cannot carry', async () => {
        await expect(subject.store.completeBatch([
          { key: message(), token: 'a', reply: ok(1) },
          { key: message({ messageId: 'm2' }), token: 'a', reply: ok(10n) },
        ], LONG_MS)).rejects.toThrow(TypeError);
        expect(await subject.store.claimBatch(ids('m1', 'm2'), 'a', LONG_MS)).toEqual([{ status: 'claimed' }, { status: 'claimed' }]);
      });
    });

    describe('key isolation', () => {
      it('keeps messages apart by namespace, user, event and message id', async () => {
        const keys = [
          message(),
          message({ namespace: `${namespace}/other` }),
          message({ userId: 'bob' }),
          message({ event: 'edit' }),
          message({ messageId: 'm2' }),
        ];
        for (const [index, key] of keys.entries()) await subject.store.complete(key, 't', ok(index), LONG_MS);
        for (const [index, key] of keys.entries()) {
          expect(await subject.peer.claim(key, 'other', LONG_MS)).toEqual({ status: 'done', reply: ok(index) });
        }
      });

      it('keeps ids with separators, braces, percent signs, spaces and unicode apart', async () => {
        const names = ['a:b', 'a', 'b:c', '{x}', 'x}{y', '{', '}', '%', '%3A', '%7B', 'a|b', 'with space', 'ünï 🚀', ''];
        const keys = [
          ...names.map((name) => message({ userId: name })),
          ...names.map((name) => message({ event: name })),
          ...names.map((name) => message({ messageId: name })),
          message({ event: 'a:b', messageId: 'c' }),
          message({ event: 'a', messageId: 'b:c' }),
        ];
        for (const [index, key] of keys.entries()) await subject.store.complete(key, 't', ok(index), LONG_MS);
        for (const [index, key] of keys.entries()) {
          expect({ key, outcome: await subject.peer.claim(key, 'other', LONG_MS) }).toEqual({ key, outcome: { status: 'done', reply: ok(index) } });
        }
      });
    });

    describe('ordered senders', () => {
      it('starts at 0 and keeps the highest recorded sequence', async () => {
        expect(await subject.store.completedSequence(sender())).toBe(0);
        await subject.store.recordSequence(sender(), 5, LONG_MS);
        await subject.peer.recordSequence(sender(), 3, LONG_MS);
        expect(await subject.peer.completedSequence(sender())).toBe(5);
        await subject.store.recordSequence(sender(), 6, LONG_MS);
        expect(await subject.store.completedSequence(sender())).toBe(6);
      });

      it('keeps sequences apart by namespace, user, sender and event, whatever the names contain', async () => {
        const keys = [
          sender(),
          sender({ namespace: `${namespace}/other` }),
          sender({ userId: 'bob' }),
          sender({ senderId: 's2' }),
          sender({ event: 'edit' }),
          sender({ senderId: 'a:b', event: 'c' }),
          sender({ senderId: 'a', event: 'b:c' }),
          sender({ userId: '{x} ü' }),
        ];
        for (const [index, key] of keys.entries()) await subject.store.recordSequence(key, index + 1, LONG_MS);
        for (const [index, key] of keys.entries()) expect(await subject.peer.completedSequence(key)).toBe(index + 1);
      });

      it('forgets a sequence after ttlMs', async () => {
        await subject.store.recordSequence(sender(), 4, SHORT_MS);
        expect(await subject.store.completedSequence(sender())).toBe(4);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.completedSequence(sender())).toBe(0);
      });

      it('refreshes the TTL on every record, even one that does not raise the sequence', async () => {
        await subject.store.recordSequence(sender(), 4, SHORT_MS);
        await sleep(100);
        await subject.peer.recordSequence(sender(), 2, 400);
        await sleep(PAST_SHORT_MS - 100); // past the first TTL, well within the refreshed one
        expect(await subject.store.completedSequence(sender())).toBe(4);
      });
    });

    describe('argument checks', () => {
      it('rejects leases and TTLs that are not positive whole milliseconds, changing nothing', async () => {
        for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
          await expect(subject.store.claim(message(), 'a', bad)).rejects.toThrow(RangeError);
          await expect(subject.store.renew(message(), 'a', bad)).rejects.toThrow(RangeError);
          await expect(subject.store.complete(message(), 'a', ok(1), bad)).rejects.toThrow(RangeError);
          await expect(subject.store.recordSequence(sender(), 1, bad)).rejects.toThrow(RangeError);
          await expect(subject.store.claimBatch([message()], 'a', bad)).rejects.toThrow(RangeError);
          await expect(subject.store.renewBatch([{ key: message(), token: 'a' }], bad)).rejects.toThrow(RangeError);
          await expect(subject.store.completeBatch([{ key: message(), token: 'a', reply: ok(1) }], bad)).rejects.toThrow(RangeError);
        }
        expect(await subject.store.claim(message(), 'b', LONG_MS)).toEqual({ status: 'claimed' });
        expect(await subject.store.completedSequence(sender())).toBe(0);
      });

      it('rejects negative or fractional sequence numbers', async () => {
        await expect(subject.store.recordSequence(sender(), -1, LONG_MS)).rejects.toThrow(RangeError);
        await expect(subject.store.recordSequence(sender(), 2.5, LONG_MS)).rejects.toThrow(RangeError);
        expect(await subject.store.completedSequence(sender())).toBe(0);
      });

      it('rejects a reply JSON cannot carry, recording nothing', async () => {
        await subject.store.claim(message(), 'a', LONG_MS);
        await expect(subject.store.complete(message(), 'a', ok(10n), LONG_MS)).rejects.toThrow(TypeError);
        await expect(subject.store.complete(message(), 'a', undefined as unknown as SendReply, LONG_MS)).rejects.toThrow(TypeError);
        expect(await subject.store.claim(message(), 'a', LONG_MS)).toEqual({ status: 'claimed' });
      });
    });
  });
}
