import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { RetentionPolicy, StreamKey, StreamStore } from './stream.store.js';
import { sleep, eventually } from '../../../../test/support/wait.js';

/** A store plus the means to simulate losing all its data and to release it. */
export interface StoreUnderTest {
  store: StreamStore;
  /** Loses every stream, ack and membership, as a Redis FLUSHALL or a process restart would. */
  wipe(): Promise<void>;
  cleanup(): Promise<void>;
}

/** What the suite needs to vary per group; a factory must build its store with these values. */
export interface ContractStoreOptions {
  retention: RetentionPolicy;
  idempotencyTtlMs: number;
}

const ROOMY: ContractStoreOptions = { retention: { maxLength: 1_000, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000 };
const SHORT_MS = 600;
/** Longer than SHORT_MS, yet short enough that what is appended after it is still fresh when checked. */
const PAST_SHORT_MS = SHORT_MS + 150;



const offsetsOf = (messages: { offset: number }[]): number[] => messages.map((message) => message.offset);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/**
 * Declares the behaviour every {@link StreamStore} must have. The factory is called once per group with
 * the retention and idempotency TTL that group needs; `wipe()` runs before every test.
 */
export function describeStreamStoreContract(
  name: string,
  factory: (options: ContractStoreOptions) => Promise<StoreUnderTest>,
): void {
  function useStore(options: ContractStoreOptions): StoreUnderTest {
    let subject: StoreUnderTest | undefined;
    beforeAll(async () => {
      subject = await factory(options);
    });
    beforeEach(() => subject!.wipe());
    afterAll(() => subject?.cleanup());
    return { get store() { return subject!.store; }, wipe: () => subject!.wipe(), cleanup: () => subject!.cleanup() };
  }

  const alice: StreamKey = { namespace: '/chat', stream: 'user:alice' };
  const lobby: StreamKey = { namespace: '/chat', stream: 'room:lobby' };
  const appendMany = async (store: StreamStore, key: StreamKey, count: number): Promise<void> => {
    for (let n = 0; n < count; n++) await store.append(key, { event: 'tick', data: { n } });
  };

  describe(`StreamStore contract: ${name}`, () => {
    describe('epochs', () => {
      const subject = useStore(ROOMY);

      it('starts a stream with an epoch, first = 1 and head = 0', async () => {
        const state = await subject.store.state(alice);
        expect(state).toEqual({ epoch: expect.any(String), first: 1, head: 0 });
        expect(state.epoch.length).toBeGreaterThan(0);
      });

      it('keeps the epoch created by state() for read() and append()', async () => {
        const { epoch } = await subject.store.state(alice);
        expect((await subject.store.read(alice, 0, 10)).epoch).toBe(epoch);
        expect((await subject.store.append(alice, { event: 'e', data: 1 })).epoch).toBe(epoch);
        expect((await subject.store.state(alice)).epoch).toBe(epoch);
      });

      it('creates the epoch on a first read()', async () => {
        const page = await subject.store.read(alice, 0, 10);
        expect(page).toEqual({ epoch: expect.any(String), first: 1, head: 0, messages: [] });
        expect((await subject.store.state(alice)).epoch).toBe(page.epoch);
      });

      it('gives each stream its own epoch', async () => {
        const [user, room] = await Promise.all([subject.store.state(alice), subject.store.state(lobby)]);
        expect(user.epoch).not.toBe(room.epoch);
      });

      it('starts a new epoch at offset 1 after the data is lost', async () => {
        await appendMany(subject.store, alice, 3);
        const before = await subject.store.state(alice);
        await subject.wipe();
        const after = await subject.store.state(alice);
        expect(after).toEqual({ epoch: expect.any(String), first: 1, head: 0 });
        expect(after.epoch).not.toBe(before.epoch);
        expect(await subject.store.append(alice, { event: 'e', data: 1 })).toEqual({ epoch: after.epoch, offset: 1, duplicate: false });
      });
    });

    describe('append and read', () => {
      const subject = useStore(ROOMY);

      it('assigns offsets 1, 2, 3 and returns event, data and the append time', async () => {
        const before = Date.now();
        const results = [
          await subject.store.append(alice, { event: 'a', data: { text: 'hi' } }),
          await subject.store.append(alice, { event: 'b', data: [1, 'two', null] }),
          await subject.store.append(alice, { event: 'c', data: 'ünïcode 🚀' }),
        ];
        const after = Date.now();
        expect(results.map((result) => [result.offset, result.duplicate])).toEqual([[1, false], [2, false], [3, false]]);
        const page = await subject.store.read(alice, 0, 10);
        expect(page.messages).toEqual([
          { offset: 1, event: 'a', data: { text: 'hi' }, ts: expect.any(Number) },
          { offset: 2, event: 'b', data: [1, 'two', null], ts: expect.any(Number) },
          { offset: 3, event: 'c', data: 'ünïcode 🚀', ts: expect.any(Number) },
        ]);
        for (const { ts } of page.messages) {
          // Redis stamps with its own clock; allow for a little skew against this process.
          expect(ts).toBeGreaterThanOrEqual(before - 1_000);
          expect(ts).toBeLessThanOrEqual(after + 1_000);
        }
        expect(page).toMatchObject({ first: 1, head: 3 });
      });

      it('stores a snapshot: mutating data after append does not change history', async () => {
        const data = { items: ['kept'] };
        await subject.store.append(alice, { event: 'e', data });
        data.items.push('added later');
        expect((await subject.store.read(alice, 0, 1)).messages[0].data).toEqual({ items: ['kept'] });
      });

      it('gives 200 concurrent appends the offsets 1..200, each exactly once, readable in order', async () => {
        const results = await Promise.all(range(1, 200).map((n) => subject.store.append(alice, { event: 'n', data: n })));
        expect(results.map((result) => result.offset).sort((a, b) => a - b)).toEqual(range(1, 200));
        const page = await subject.store.read(alice, 0, 500);
        expect(offsetsOf(page.messages)).toEqual(range(1, 200));
        const sentAt = new Map(results.map((result, index) => [result.offset, index + 1]));
        expect(page.messages.every((message) => message.data === sentAt.get(message.offset))).toBe(true);
        expect(page).toMatchObject({ first: 1, head: 200 });
      });

      it('pages through a stream with after and limit', async () => {
        await appendMany(subject.store, alice, 25);
        expect(offsetsOf((await subject.store.read(alice, 0, 10)).messages)).toEqual(range(1, 10));
        expect(offsetsOf((await subject.store.read(alice, 10, 10)).messages)).toEqual(range(11, 20));
        expect(offsetsOf((await subject.store.read(alice, 20, 10)).messages)).toEqual(range(21, 25));
        expect(await subject.store.read(alice, 25, 10)).toMatchObject({ first: 1, head: 25, messages: [] });
        expect(await subject.store.read(alice, 99, 10)).toMatchObject({ head: 25, messages: [] });
        expect(await subject.store.read(alice, 0, 0)).toMatchObject({ first: 1, head: 25, messages: [] });
      });

      it('keeps streams apart by namespace and by name', async () => {
        await appendMany(subject.store, { namespace: '/a', stream: 'user:x' }, 2);
        await appendMany(subject.store, { namespace: '/b', stream: 'user:x' }, 1);
        await appendMany(subject.store, { namespace: '/a', stream: 'user:y' }, 3);
        expect((await subject.store.state({ namespace: '/a', stream: 'user:x' })).head).toBe(2);
        expect((await subject.store.state({ namespace: '/b', stream: 'user:x' })).head).toBe(1);
        expect((await subject.store.state({ namespace: '/a', stream: 'user:y' })).head).toBe(3);
      });

      it('keeps streams with separators, braces, spaces and unicode in their names apart', async () => {
        const names = ['a:b', '{x}', 'x}{y', '{', '}', '%7B', 'a|b', 'with space', 'ünï 🚀'];
        const keys: StreamKey[] = [
          ...names.map((userId) => ({ namespace: '/odd{ns}', stream: `user:${userId}` })),
          { namespace: '/a|b', stream: 'c' },
          { namespace: '/a', stream: 'b|c' },
        ];
        for (const [index, key] of keys.entries()) {
          for (let n = 0; n <= index; n++) await subject.store.append(key, { event: 'e', data: key.stream });
        }
        for (const [index, key] of keys.entries()) {
          const page = await subject.store.read(key, 0, 100);
          expect({ key, head: page.head, streams: [...new Set(page.messages.map((message) => message.data))] })
            .toEqual({ key, head: index + 1, streams: [key.stream] });
        }
      });

      it('rejects offsets and limits that are negative or fractional, and events that are not strings', async () => {
        await expect(subject.store.read(alice, -1, 10)).rejects.toThrow(RangeError);
        await expect(subject.store.read(alice, 0, 1.5)).rejects.toThrow(RangeError);
        await expect(subject.store.ack(alice, Number.NaN)).rejects.toThrow(RangeError);
        await expect(subject.store.append(alice, { event: 7 as unknown as string, data: 1 })).rejects.toThrow(TypeError);
        expect((await subject.store.state(alice)).head).toBe(0);
      });

      it('answers ping()', async () => {
        await expect(subject.store.ping()).resolves.toBeUndefined();
      });
    });

    describe('idempotency', () => {
      const subject = useStore(ROOMY);

      it('stores a message once per idempotency key and returns the first offset', async () => {
        const first = await subject.store.append(alice, { event: 'e', data: 'original', idempotencyKey: 'k1' });
        await subject.store.append(alice, { event: 'e', data: 'other' });
        const repeat = await subject.store.append(alice, { event: 'e', data: 'retry', idempotencyKey: 'k1' });
        expect(first).toEqual({ epoch: expect.any(String), offset: 1, duplicate: false });
        expect(repeat).toEqual({ epoch: first.epoch, offset: 1, duplicate: true });
        const page = await subject.store.read(alice, 0, 10);
        expect(page.messages.map((message) => message.data)).toEqual(['original', 'other']);
      });

      it('scopes idempotency keys to their stream', async () => {
        await subject.store.append(alice, { event: 'e', data: 1, idempotencyKey: 'shared' });
        const elsewhere = await subject.store.append(lobby, { event: 'e', data: 1, idempotencyKey: 'shared' });
        expect(elsewhere).toMatchObject({ offset: 1, duplicate: false });
      });

      it('stores one message when the same key is appended concurrently', async () => {
        const results = await Promise.all(range(1, 20).map(() => subject.store.append(alice, { event: 'e', data: 1, idempotencyKey: '{race}' })));
        expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
        expect(new Set(results.map((result) => result.offset))).toEqual(new Set([1]));
        expect((await subject.store.state(alice)).head).toBe(1);
      });
    });

    describe('batched appends', () => {
      const subject = useStore(ROOMY);

      it('appends a batch with contiguous offsets, in order, after what was there', async () => {
        await subject.store.append(alice, { event: 'e', data: 0 });
        const results = await subject.store.appendBatch(alice, range(1, 5).map((data) => ({ event: 'e', data })));
        expect(results.map((result) => result.offset)).toEqual(range(2, 6));
        expect(new Set(results.map((result) => result.epoch)).size).toBe(1);
        expect((await subject.store.read(alice, 0, 10)).messages.map((message) => message.data)).toEqual(range(0, 5));
      });

      it('takes no offset for duplicates, within the batch or with earlier appends', async () => {
        await subject.store.append(alice, { event: 'e', data: 'earlier', idempotencyKey: 'a' });
        const results = await subject.store.appendBatch(alice, [
          { event: 'e', data: 'retry of earlier', idempotencyKey: 'a' },
          { event: 'e', data: 'new', idempotencyKey: 'b' },
          { event: 'e', data: 'retry of new', idempotencyKey: 'b' },
          { event: 'e', data: 'plain' },
        ]);
        expect(results.map(({ offset, duplicate }) => [offset, duplicate])).toEqual([[1, true], [2, false], [2, true], [3, false]]);
        expect((await subject.store.read(alice, 0, 10)).messages.map((message) => message.data)).toEqual(['earlier', 'new', 'plain']);
      });

      it('keeps concurrent batches contiguous and disjoint', async () => {
        const batches = await Promise.all(range(1, 10).map((batch) => subject.store.appendBatch(alice, range(1, 20).map((i) => ({ event: 'e', data: batch * 100 + i })))));
        for (const batch of batches) {
          const offsets = batch.map((result) => result.offset);
          expect(offsets).toEqual(range(offsets[0], offsets[0] + 19));
        }
        expect(batches.flat().map((result) => result.offset).sort((a, b) => a - b)).toEqual(range(1, 200));
      });

      it('keeps a message\'s expiresAt and omits it where none was given', async () => {
        await subject.store.appendBatch(alice, [{ event: 'e', data: 1, expiresAt: 1_900_000_000_000 }, { event: 'e', data: 2 }]);
        const [stale, plain] = (await subject.store.read(alice, 0, 10)).messages;
        expect(stale.expiresAt).toBe(1_900_000_000_000);
        expect('expiresAt' in plain).toBe(false);
      });

      it('does nothing for an empty batch', async () => {
        expect(await subject.store.appendBatch(alice, [])).toEqual([]);
        expect((await subject.store.state(alice)).head).toBe(0);
      });
    });

    describe('acks', () => {
      const subject = useStore(ROOMY);

      it('reports 0 for a stream never acknowledged', async () => {
        expect(await subject.store.ackedOffset({ namespace: '/nowhere', stream: 'user:nobody' })).toBe(0);
        await appendMany(subject.store, alice, 2);
        expect(await subject.store.ackedOffset(alice)).toBe(0);
      });

      it('keeps the highest acknowledged offset; a lower ack never lowers it', async () => {
        await appendMany(subject.store, alice, 5);
        await subject.store.ack(alice, 3);
        await subject.store.ack(alice, 2);
        expect(await subject.store.ackedOffset(alice)).toBe(3);
        await subject.store.ack(alice, 5);
        expect(await subject.store.ackedOffset(alice)).toBe(5);
      });

      it('clamps an ack past the head, and ignores acks on streams without an epoch', async () => {
        await appendMany(subject.store, alice, 2);
        await subject.store.ack(alice, 10);
        expect(await subject.store.ackedOffset(alice)).toBe(2);
        const unknown = { namespace: '/chat', stream: 'user:ghost' };
        await subject.store.ack(unknown, 4);
        expect(await subject.store.ackedOffset(unknown)).toBe(0);
      });

      it('forgets acks with the epoch', async () => {
        await appendMany(subject.store, alice, 2);
        await subject.store.ack(alice, 2);
        await subject.wipe();
        await appendMany(subject.store, alice, 1);
        expect(await subject.store.ackedOffset(alice)).toBe(0);
      });

      it('notifies onAck listeners of each new maximum, not of acks that change nothing', async () => {
        const received: [StreamKey, number][] = [];
        const unsubscribe = subject.store.onAck((key, offset) => received.push([key, offset]));
        await appendMany(subject.store, alice, 5);
        await subject.store.ack(alice, 2);
        await subject.store.ack(alice, 1);
        await subject.store.ack(alice, 2);
        await subject.store.ack(alice, 4);
        // Notifications arrive in ack order, so a notice for the ignored acks would sit between these two.
        await eventually(() => expect(received).toEqual([[alice, 2], [alice, 4]]));
        unsubscribe();
      });

      it('stops notifying a listener once unsubscribed', async () => {
        const kept: number[] = [];
        const dropped: number[] = [];
        const unsubscribeKept = subject.store.onAck((_key, offset) => kept.push(offset));
        subject.store.onAck((_key, offset) => dropped.push(offset))();
        await appendMany(subject.store, alice, 1);
        await subject.store.ack(alice, 1);
        await eventually(() => expect(kept).toEqual([1]));
        expect(dropped).toEqual([]);
        unsubscribeKept();
      });

      it('still notifies the other listeners when one throws', async () => {
        const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
        const received: number[] = [];
        const unsubscribers = [
          subject.store.onAck(() => { throw new Error('listener bug'); }),
          subject.store.onAck((_key, offset) => received.push(offset)),
        ];
        try {
          await appendMany(subject.store, alice, 1);
          await subject.store.ack(alice, 1);
          await eventually(() => expect(received).toEqual([1]));
          expect(logged).toHaveBeenCalled();
        } finally {
          unsubscribers.forEach((unsubscribe) => unsubscribe());
          logged.mockRestore();
        }
      });
    });

    describe('room membership', () => {
      const subject = useStore(ROOMY);
      const ns = '/chat';

      it('returns the room head at join time and records both sides', async () => {
        expect(await subject.store.joinRoom(ns, 'alice', 'lobby')).toBe(0);
        await appendMany(subject.store, lobby, 3);
        expect(await subject.store.joinRoom(ns, 'bob', 'lobby')).toBe(3);
        expect(await subject.store.roomsOf(ns, 'bob')).toEqual(new Map([['lobby', 3]]));
        expect((await subject.store.membersOf(ns, 'lobby')).sort()).toEqual(['alice', 'bob']);
      });

      it('keeps the original join offset when a member joins again', async () => {
        await subject.store.joinRoom(ns, 'alice', 'lobby');
        await appendMany(subject.store, lobby, 4);
        expect(await subject.store.joinRoom(ns, 'alice', 'lobby')).toBe(0);
        expect(await subject.store.roomsOf(ns, 'alice')).toEqual(new Map([['lobby', 0]]));
        expect(await subject.store.membersOf(ns, 'lobby')).toEqual(['alice']);
      });

      it('lists every room of a user', async () => {
        await appendMany(subject.store, { namespace: ns, stream: 'room:ops' }, 2);
        await subject.store.joinRoom(ns, 'alice', 'lobby');
        await subject.store.joinRoom(ns, 'alice', 'ops');
        expect(await subject.store.roomsOf(ns, 'alice')).toEqual(new Map([['lobby', 0], ['ops', 2]]));
        expect(await subject.store.roomsOf(ns, 'nobody')).toEqual(new Map());
      });

      it('removes both sides on leave; joining again starts at the current head', async () => {
        await subject.store.joinRoom(ns, 'alice', 'lobby');
        await subject.store.joinRoom(ns, 'bob', 'lobby');
        await appendMany(subject.store, lobby, 2);
        await subject.store.leaveRoom(ns, 'alice', 'lobby');
        await subject.store.leaveRoom(ns, 'carol', 'lobby'); // never a member: nothing to do
        expect(await subject.store.roomsOf(ns, 'alice')).toEqual(new Map());
        expect(await subject.store.membersOf(ns, 'lobby')).toEqual(['bob']);
        expect(await subject.store.joinRoom(ns, 'alice', 'lobby')).toBe(2);
      });

      it('scopes membership to the namespace', async () => {
        await subject.store.joinRoom('/a', 'alice', 'lobby');
        expect(await subject.store.roomsOf('/b', 'alice')).toEqual(new Map());
        expect(await subject.store.membersOf('/b', 'lobby')).toEqual([]);
      });

      it('handles user ids and room names with separators, braces, spaces and unicode', async () => {
        const names = ['a:b', '{x}', 'x}{y', 'with space', 'ünï 🚀', 'user:nested'];
        for (const name of names) await subject.store.joinRoom(ns, name, `room ${name}`);
        for (const name of names) {
          expect(await subject.store.roomsOf(ns, name)).toEqual(new Map([[`room ${name}`, 0]]));
          expect(await subject.store.membersOf(ns, `room ${name}`)).toEqual([name]);
        }
      });
    });

    describe('retention by length (maxLength 5)', () => {
      const subject = useStore({ ...ROOMY, retention: { maxLength: 5, maxAgeMs: 60_000 } });

      it('keeps the newest maxLength messages; first is the lowest retained, head the last assigned', async () => {
        await appendMany(subject.store, alice, 12);
        const page = await subject.store.read(alice, 0, 100);
        expect(offsetsOf(page.messages)).toEqual(range(8, 12));
        expect(page).toMatchObject({ first: 8, head: 12 });
        expect(await subject.store.state(alice)).toMatchObject({ first: 8, head: 12 });
      });

      it('starts a cursor that fell behind at first, and keeps counting after trimming', async () => {
        await appendMany(subject.store, alice, 12);
        expect(offsetsOf((await subject.store.read(alice, 2, 3)).messages)).toEqual([8, 9, 10]);
        expect((await subject.store.append(alice, { event: 'e', data: 1 })).offset).toBe(13);
        expect(offsetsOf((await subject.store.read(alice, 0, 100)).messages)).toEqual(range(9, 13));
      });
    });

    describe(`retention by age (maxAgeMs ${SHORT_MS})`, () => {
      const subject = useStore({ ...ROOMY, retention: { maxLength: 1_000, maxAgeMs: SHORT_MS } });

      it('drops expired messages on read but keeps the epoch and head (first = head + 1)', async () => {
        await appendMany(subject.store, alice, 3);
        const { epoch } = await subject.store.state(alice);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.read(alice, 0, 10)).toEqual({ epoch, first: 4, head: 3, messages: [] });
      });

      it('drops only the expired part of a stream', async () => {
        await appendMany(subject.store, alice, 7);
        await sleep(PAST_SHORT_MS - 300);
        await appendMany(subject.store, alice, 6);
        await sleep(300);
        const page = await subject.store.read(alice, 0, 100);
        expect(offsetsOf(page.messages)).toEqual(range(8, 13));
        expect(page).toMatchObject({ first: 8, head: 13 });
      });

      it('continues the offsets when appending after everything expired', async () => {
        await appendMany(subject.store, alice, 2);
        await sleep(PAST_SHORT_MS);
        expect((await subject.store.append(alice, { event: 'e', data: 'fresh' })).offset).toBe(3);
        const page = await subject.store.read(alice, 0, 10);
        expect(page).toMatchObject({ first: 3, head: 3 });
        expect(page.messages.map((message) => message.data)).toEqual(['fresh']);
      });
    });

    describe(`idempotency window (idempotencyTtlMs ${SHORT_MS})`, () => {
      const subject = useStore({ ...ROOMY, idempotencyTtlMs: SHORT_MS });

      it('forgets an idempotency key after idempotencyTtlMs', async () => {
        await subject.store.append(alice, { event: 'e', data: 1, idempotencyKey: 'k' });
        expect(await subject.store.append(alice, { event: 'e', data: 1, idempotencyKey: 'k' })).toMatchObject({ offset: 1, duplicate: true });
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.append(alice, { event: 'e', data: 1, idempotencyKey: 'k' })).toMatchObject({ offset: 2, duplicate: false });
      });
    });
  });
}
