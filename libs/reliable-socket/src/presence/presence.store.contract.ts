import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { PresenceConnection, PresenceEvent, PresenceStore } from './presence.store.js';
import { sleep, eventually } from '../../../../test/support/wait.js';

/** A store, a second node on the same data, and the means to release both. */
export interface PresenceStoreUnderTest {
  store: PresenceStore;
  /** Another node sharing the store's data (Redis: other connections); a single-process store passes itself. */
  peer: PresenceStore;
  cleanup(): Promise<void>;
}

const LONG_MS = 60_000;
const SHORT_MS = 300;
/** Past SHORT_MS with room for timer and Redis-clock jitter. */
const PAST_SHORT_MS = SHORT_MS + 150;



/** Every event a node heard while a test ran. */
class Heard {
  readonly events: PresenceEvent[] = [];
  private readonly stop: () => void;

  constructor(store: PresenceStore) {
    this.stop = store.onChange((event) => this.events.push(event));
  }

  in(namespace: string): Array<Pick<PresenceEvent, 'type' | 'userId' | 'fence'>> {
    return this.events.filter((event) => event.namespace === namespace).map(({ type, userId, fence }) => ({ type, userId, fence }));
  }

  close(): void {
    this.stop();
  }
}

/**
 * Declares the behaviour every {@link PresenceStore} must have. The factory is called once; each test
 * works in its own namespace, so nothing needs wiping between tests.
 */
export function describePresenceStoreContract(name: string, factory: () => Promise<PresenceStoreUnderTest>): void {
  let subject: PresenceStoreUnderTest;
  let namespace: string;
  let heard: { store: Heard; peer: Heard };

  const connection = (userId: string, connectionId: string, overrides: Partial<PresenceConnection> = {}): PresenceConnection =>
    ({ namespace, userId, connectionId, ...overrides });

  /**
   * Waits until both nodes heard a marker event published after everything the test did. Events reach
   * every node in publish order, so what they heard by then is everything the test caused: an event
   * missing now was never published.
   */
  async function allHeard(): Promise<void> {
    const marker = connection(`marker-${randomUUID()}`, 'm', { namespace: `${namespace}/marker` });
    await subject.store.connect(marker, LONG_MS);
    const markerHeard = (node: Heard) => node.events.some((event) => event.userId === marker.userId);
    await eventually(() => expect(markerHeard(heard.store) && markerHeard(heard.peer)).toBe(true));
  }

  /** The events of the test's namespace; both nodes must have heard the same ones, in the same order. */
  async function eventsHeard(): Promise<Array<Pick<PresenceEvent, 'type' | 'userId' | 'fence'>>> {
    await allHeard();
    expect(heard.peer.in(namespace)).toEqual(heard.store.in(namespace));
    return heard.store.in(namespace);
  }

  describe(`PresenceStore contract: ${name}`, () => {
    beforeAll(async () => {
      subject = await factory();
    });
    beforeEach(() => {
      namespace = `/t-${randomUUID()}`;
      heard = { store: new Heard(subject.store), peer: new Heard(subject.peer) };
    });
    afterEach(() => {
      heard.store.close();
      heard.peer.close();
    });
    afterAll(() => subject?.cleanup());

    describe('connect and disconnect', () => {
      it('joins a user on its first connection, visible to every node, with a join event', async () => {
        const before = Date.now();
        const { fence, joined } = await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        expect(joined).toBe(true);
        expect(fence).toBeGreaterThan(0);
        expect(await subject.peer.isOnline(namespace, 'alice')).toBe(true);
        expect(await eventsHeard()).toEqual([{ type: 'join', userId: 'alice', fence }]);
        const event = heard.peer.events.find((candidate) => candidate.namespace === namespace)!;
        expect(event).toEqual({ type: 'join', namespace, userId: 'alice', fence, at: expect.any(Number) });
        // Stamped by the store's clock (Redis's for Redis): close to this process's.
        expect(event.at).toBeGreaterThanOrEqual(before - 1_000);
        expect(event.at).toBeLessThanOrEqual(Date.now() + 1_000);
      });

      it('does not join again on a second connection, but gives it a higher fence', async () => {
        const first = await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        const second = await subject.peer.connect(connection('alice', 'c2'), LONG_MS);
        expect(second.joined).toBe(false);
        expect(second.fence).toBeGreaterThan(first.fence);
        expect(await eventsHeard()).toEqual([{ type: 'join', userId: 'alice', fence: first.fence }]);
      });

      it('keeps the user online until its last connection leaves; the leave carries the highest fence', async () => {
        await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        const { fence } = await subject.peer.connect(connection('alice', 'c2'), LONG_MS);
        expect(await subject.store.disconnect(connection('alice', 'c2'))).toEqual({ left: false });
        expect(await subject.peer.isOnline(namespace, 'alice')).toBe(true);
        expect(await subject.peer.disconnect(connection('alice', 'c1'))).toEqual({ left: true });
        expect(await subject.store.isOnline(namespace, 'alice')).toBe(false);
        expect((await eventsHeard()).map((event) => [event.type, event.fence])).toEqual([
          ['join', expect.any(Number)],
          ['leave', fence],
        ]);
      });

      it('ignores a late disconnect of an old connection after the user reconnected (out of order)', async () => {
        await subject.store.connect(connection('alice', 'old'), LONG_MS);
        const reconnect = await subject.peer.connect(connection('alice', 'new'), LONG_MS);
        // The old node only now notices that the old connection is gone.
        expect(await subject.store.disconnect(connection('alice', 'old'))).toEqual({ left: false });
        expect(await subject.peer.isOnline(namespace, 'alice')).toBe(true);
        expect(await subject.store.count(namespace)).toEqual({ connections: 1, users: 1 });
        expect((await eventsHeard()).map((event) => event.type)).toEqual(['join']);
        expect(await subject.peer.disconnect(connection('alice', 'new'))).toEqual({ left: true });
        expect((await eventsHeard()).at(-1)).toEqual({ type: 'leave', userId: 'alice', fence: reconnect.fence });
      });

      it('treats a repeated or unknown disconnect as a no-op', async () => {
        await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        expect(await subject.store.disconnect(connection('alice', 'unknown'))).toEqual({ left: false });
        expect(await subject.store.disconnect(connection('bob', 'c1'))).toEqual({ left: false });
        expect(await subject.store.disconnect(connection('alice', 'c1'))).toEqual({ left: true });
        expect(await subject.peer.disconnect(connection('alice', 'c1'))).toEqual({ left: false });
        expect((await eventsHeard()).map((event) => event.type)).toEqual(['join', 'leave']);
      });

      it('grows a user fence with every connect, across offline periods', async () => {
        const fences: number[] = [];
        for (let round = 0; round < 3; round++) {
          fences.push((await subject.store.connect(connection('alice', `a${round}`), LONG_MS)).fence);
          fences.push((await subject.peer.connect(connection('alice', `b${round}`), LONG_MS)).fence);
          await subject.store.connect(connection('bob', `c${round}`), LONG_MS); // other users' connects in between
          await subject.store.disconnect(connection('alice', `a${round}`));
          await subject.peer.disconnect(connection('alice', `b${round}`));
        }
        expect(fences).toEqual([...fences].sort((a, b) => a - b));
        expect(new Set(fences).size).toBe(fences.length);
        const alice = (await eventsHeard()).filter((event) => event.userId === 'alice');
        expect(alice.map((event) => [event.type, event.fence])).toEqual([
          ['join', fences[0]], ['leave', fences[1]],
          ['join', fences[2]], ['leave', fences[3]],
          ['join', fences[4]], ['leave', fences[5]],
        ]);
      });

      it('joins and leaves exactly once under concurrent connects and disconnects from two nodes', async () => {
        const nodes = [subject.store, subject.peer];
        const ids = Array.from({ length: 20 }, (_, n) => `c${n}`);
        const connects = await Promise.all(ids.map((id, n) => nodes[n % 2].connect(connection('alice', id), LONG_MS)));
        expect(connects.filter((result) => result.joined)).toHaveLength(1);
        expect(new Set(connects.map((result) => result.fence)).size).toBe(ids.length);
        expect(await subject.store.count(namespace)).toEqual({ connections: 20, users: 1 });
        const disconnects = await Promise.all(ids.map((id, n) => nodes[(n + 1) % 2].disconnect(connection('alice', id))));
        expect(disconnects.filter((result) => result.left)).toHaveLength(1);
        const events = await eventsHeard();
        expect(events.map((event) => event.type)).toEqual(['join', 'leave']);
        expect(events[1].fence).toBe(Math.max(...connects.map((result) => result.fence)));
      });
    });

    describe('expiry', () => {
      it('stops counting an expired connection at once, before any sweep, and publishes nothing until swept', async () => {
        await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await subject.store.connect(connection('bob', 'c1'), LONG_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.isOnline(namespace, 'alice')).toBe(false);
        expect(await subject.peer.online(namespace, ['alice', 'bob'])).toEqual([false, true]);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 1, users: 1 });
        expect(await subject.peer.onlineUsers(namespace, { limit: 10 })).toEqual({ users: ['bob'] });
        expect((await eventsHeard()).map((event) => event.type)).toEqual(['join', 'join']);
      });

      it('sweeps expired connections (a crashed node), publishing the leave of users left offline', async () => {
        const crashed = await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await subject.store.connect(connection('alice', 'c2'), SHORT_MS);
        await subject.store.connect(connection('bob', 'c3'), SHORT_MS);
        await subject.store.connect(connection('carol', 'c4'), LONG_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.sweep(namespace)).toBe(3);
        expect(await subject.peer.sweep(namespace)).toBe(0);
        const leaves = (await eventsHeard()).filter((event) => event.type === 'leave');
        expect(leaves.map((event) => event.userId).sort()).toEqual(['alice', 'bob']);
        expect(leaves.find((event) => event.userId === 'alice')!.fence).toBeGreaterThan(crashed.fence);
        expect(await subject.store.count(namespace)).toEqual({ connections: 1, users: 1 });
      });

      it('never makes a user offline when an old connection expires while a newer one is live', async () => {
        await subject.store.connect(connection('alice', 'old'), SHORT_MS);
        await subject.peer.connect(connection('alice', 'new'), LONG_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.isOnline(namespace, 'alice')).toBe(true);
        expect(await subject.peer.sweep(namespace)).toBe(1);
        expect(await subject.store.isOnline(namespace, 'alice')).toBe(true);
        expect(await subject.store.count(namespace)).toEqual({ connections: 1, users: 1 });
        expect((await eventsHeard()).map((event) => event.type)).toEqual(['join']);
      });

      it('lets a connect settle an offline-but-unswept user: leave first, then a join with a new fence', async () => {
        const first = await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await sleep(PAST_SHORT_MS);
        const second = await subject.peer.connect(connection('alice', 'c2'), LONG_MS);
        expect(second.joined).toBe(true);
        expect(await eventsHeard()).toEqual([
          { type: 'join', userId: 'alice', fence: first.fence },
          { type: 'leave', userId: 'alice', fence: first.fence },
          { type: 'join', userId: 'alice', fence: second.fence },
        ]);
        expect(await subject.store.sweep(namespace)).toBe(0);
        expect(await subject.store.count(namespace)).toEqual({ connections: 1, users: 1 });
      });

      it('publishes the leave on disconnect when the user other connections had all expired', async () => {
        await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await subject.store.connect(connection('alice', 'c2'), SHORT_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.store.disconnect(connection('alice', 'c1'))).toEqual({ left: true });
        expect(await subject.peer.disconnect(connection('alice', 'c2'))).toEqual({ left: false });
        expect((await eventsHeard()).map((event) => event.type)).toEqual(['join', 'leave']);
        expect(await subject.store.sweep(namespace)).toBe(0);
      });
    });

    describe('heartbeat', () => {
      it('keeps renewed connections live past their first expiry', async () => {
        await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await subject.store.connect(connection('bob', 'c2'), SHORT_MS);
        for (let beat = 0; beat < 4; beat++) {
          await sleep(SHORT_MS / 3);
          await subject.store.heartbeat([connection('alice', 'c1'), connection('bob', 'c2')], SHORT_MS);
        }
        expect(await subject.peer.sweep(namespace)).toBe(0);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 2, users: 2 });
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 0, users: 0 });
      });

      it('renews a batch spanning users and namespaces in one call, and accepts an empty batch', async () => {
        const other = `${namespace}/other`;
        await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await subject.store.connect(connection('alice', 'c2'), SHORT_MS);
        await subject.store.connect(connection('bob', 'c3', { namespace: other }), SHORT_MS);
        await subject.store.heartbeat([connection('alice', 'c1'), connection('alice', 'c2'), connection('bob', 'c3', { namespace: other })], LONG_MS);
        await subject.store.heartbeat([], LONG_MS);
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 2, users: 1 });
        expect(await subject.peer.isOnline(other, 'bob')).toBe(true);
        expect((await eventsHeard()).map((event) => event.type)).toEqual(['join']);
      });

      it('records again a connection the store lost (swept while its node was paused), as a new connect', async () => {
        const lost = await subject.store.connect(connection('alice', 'c1'), SHORT_MS);
        await sleep(PAST_SHORT_MS);
        await subject.peer.sweep(namespace);
        await subject.store.heartbeat([connection('alice', 'c1')], LONG_MS);
        expect(await subject.peer.isOnline(namespace, 'alice')).toBe(true);
        const events = await eventsHeard();
        expect(events.map((event) => event.type)).toEqual(['join', 'leave', 'join']);
        expect(events[2].fence).toBeGreaterThan(lost.fence);
        // Recorded like a connect: the next connect of the user is not a join.
        expect((await subject.store.connect(connection('alice', 'c2'), LONG_MS)).joined).toBe(false);
      });

      it('records a never-seen connection on heartbeat, joining its user once', async () => {
        await subject.store.heartbeat([connection('alice', 'c1'), connection('alice', 'c2'), connection('bob', 'c3')], LONG_MS);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 3, users: 2 });
        const events = await eventsHeard();
        expect(events.map((event) => [event.type, event.userId])).toEqual([['join', 'alice'], ['join', 'bob']]);
        expect((await subject.store.connect(connection('alice', 'c4'), LONG_MS)).joined).toBe(false);
        await subject.store.disconnect(connection('alice', 'c4'));
        await subject.store.disconnect(connection('alice', 'c1'));
        expect(await subject.store.disconnect(connection('alice', 'c2'))).toEqual({ left: true });
      });
    });

    describe('queries', () => {
      it('counts live connections and unique users', async () => {
        expect(await subject.store.count(namespace)).toEqual({ connections: 0, users: 0 });
        await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        await subject.peer.connect(connection('alice', 'c2'), LONG_MS);
        await subject.store.connect(connection('bob', 'c3'), LONG_MS);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 3, users: 2 });
      });

      it('answers online() per user id, in order, duplicates and unknown ids included', async () => {
        await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        await subject.store.connect(connection('bob', 'c2'), LONG_MS);
        await subject.store.disconnect(connection('bob', 'c2'));
        expect(await subject.peer.online(namespace, ['bob', 'alice', 'nobody', 'alice'])).toEqual([false, true, false, true]);
        expect(await subject.peer.online(namespace, [])).toEqual([]);
        expect(await subject.peer.isOnline(namespace, 'nobody')).toBe(false);
      });

      it('pages online users in id order; the cursor is the last id and absent on the last page', async () => {
        for (const userId of ['erin', 'bob', 'dave', 'alice', 'carol']) await subject.store.connect(connection(userId, `${userId}-1`), LONG_MS);
        await subject.store.connect(connection('alice', 'alice-2'), LONG_MS);
        const first = await subject.peer.onlineUsers(namespace, { limit: 2 });
        expect(first).toEqual({ users: ['alice', 'bob'], cursor: 'bob' });
        const second = await subject.peer.onlineUsers(namespace, { cursor: first.cursor, limit: 2 });
        expect(second).toEqual({ users: ['carol', 'dave'], cursor: 'dave' });
        expect(await subject.peer.onlineUsers(namespace, { cursor: second.cursor, limit: 2 })).toEqual({ users: ['erin'] });
        expect(await subject.peer.onlineUsers(namespace, { limit: 5 })).toEqual({ users: ['alice', 'bob', 'carol', 'dave', 'erin'] });
        expect(await subject.peer.onlineUsers(namespace, { cursor: 'erin', limit: 5 })).toEqual({ users: [] });
        // A cursor need not be a current user: paging resumes after it in id order.
        expect(await subject.peer.onlineUsers(namespace, { cursor: 'b', limit: 1 })).toEqual({ users: ['bob'], cursor: 'bob' });
      });

      it('skips users that went offline, expired or not yet swept, while filling a page', async () => {
        for (const userId of ['a', 'b', 'c', 'd', 'e', 'f']) {
          await subject.store.connect(connection(userId, 'c'), ['b', 'c', 'e'].includes(userId) ? SHORT_MS : LONG_MS);
        }
        await subject.store.disconnect(connection('d', 'c'));
        await sleep(PAST_SHORT_MS);
        expect(await subject.peer.onlineUsers(namespace, { limit: 1 })).toEqual({ users: ['a'], cursor: 'a' });
        expect(await subject.peer.onlineUsers(namespace, { cursor: 'a', limit: 1 })).toEqual({ users: ['f'] });
      });

      it('orders ids by their UTF-8 bytes, as Redis does, and keeps odd ids intact', async () => {
        const ids = ['🚀', 'ｚ', 'z', 'Z', 'a:b', '{x}', 'with space', '%', 'ünï'];
        for (const userId of ids) await subject.store.connect(connection(userId, 'c'), LONG_MS);
        const expected = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(expected.indexOf('ｚ')).toBeLessThan(expected.indexOf('🚀')); // UTF-16 order would say the opposite
        const { users } = await subject.peer.onlineUsers(namespace, { limit: 100 });
        expect(users).toEqual(expected);
        expect(await subject.peer.online(namespace, ids)).toEqual(ids.map(() => true));
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await subject.peer.onlineUsers(namespace, { cursor, limit: 4 });
          paged.push(...page.users);
          cursor = page.cursor;
        } while (cursor !== undefined);
        expect(paged).toEqual(expected);
        expect((await eventsHeard()).map((event) => event.userId)).toEqual(ids);
      });

      it('keeps namespaces apart', async () => {
        const other = `${namespace}/other`;
        await subject.store.connect(connection('alice', 'c1'), LONG_MS);
        await subject.store.connect(connection('alice', 'c2', { namespace: other }), LONG_MS);
        await subject.store.connect(connection('bob', 'c3', { namespace: other }), LONG_MS);
        await subject.store.disconnect(connection('alice', 'c1'));
        expect(await subject.peer.isOnline(namespace, 'alice')).toBe(false);
        expect(await subject.peer.isOnline(other, 'alice')).toBe(true);
        expect(await subject.peer.count(namespace)).toEqual({ connections: 0, users: 0 });
        expect(await subject.peer.count(other)).toEqual({ connections: 2, users: 2 });
        expect(await subject.peer.onlineUsers(other, { limit: 10 })).toEqual({ users: ['alice', 'bob'] });
      });
    });

    describe('listeners and arguments', () => {
      it('stops delivering to an unsubscribed listener and survives a throwing one', async () => {
        const kept: string[] = [];
        const dropped: string[] = [];
        const stopThrowing = subject.peer.onChange(() => {
          throw new Error('listener bug');
        });
        const stopKept = subject.peer.onChange((event) => event.namespace === namespace && kept.push(event.userId));
        const stopDropped = subject.peer.onChange((event) => event.namespace === namespace && dropped.push(event.userId));
        try {
          await subject.store.connect(connection('alice', 'c1'), LONG_MS);
          await eventually(() => expect(kept).toEqual(['alice']));
          stopDropped();
          await subject.store.connect(connection('bob', 'c1'), LONG_MS);
          await eventsHeard();
          expect(kept).toEqual(['alice', 'bob']);
          expect(dropped).toEqual(['alice']);
        } finally {
          stopThrowing();
          stopKept();
        }
      });

      it('rejects a TTL or page limit that is not a positive whole number, recording nothing', async () => {
        await expect(subject.store.connect(connection('alice', 'c1'), 0)).rejects.toThrow(RangeError);
        await expect(subject.store.connect(connection('alice', 'c1'), 1.5)).rejects.toThrow(RangeError);
        await expect(subject.store.heartbeat([connection('alice', 'c1')], Number.NaN)).rejects.toThrow(RangeError);
        await expect(subject.store.onlineUsers(namespace, { limit: 0 })).rejects.toThrow(RangeError);
        await expect(subject.store.onlineUsers(namespace, { limit: 2.5 })).rejects.toThrow(RangeError);
        await expect(subject.store.onlineUsers(namespace, { limit: 1_001 })).rejects.toThrow(RangeError);
        expect(await subject.store.count(namespace)).toEqual({ connections: 0, users: 0 });
      });
    });
  });
}
