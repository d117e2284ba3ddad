import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CampaignNotFoundError, CampaignStateError } from './campaign.errors.js';
import type { CampaignRecord, CampaignStore } from './campaign.store.js';
import { sleep } from '../../../../test/support/wait.js';

/** A store, a second node on the same data, and the means to release both. */
export interface CampaignStoreUnderTest {
  store: CampaignStore;
  /** Another node sharing the store's data (Redis: another connection); a single-process store passes itself. */
  peer: CampaignStore;
  cleanup(): Promise<void>;
}

const LONG_MS = 60_000;
const SHORT_MS = 150;
/** Past SHORT_MS with room for timer and Redis-clock jitter. */
const PAST_SHORT_MS = SHORT_MS + 100;

const usersNamed = (count: number, prefix = 'u'): string[] => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

/**
 * Declares the behaviour every {@link CampaignStore} must have. The factory is called once; every test
 * creates campaigns with fresh ids, so nothing needs wiping between tests.
 */
export function describeCampaignStoreContract(name: string, factory: () => Promise<CampaignStoreUnderTest>): void {
  let subject: CampaignStoreUnderTest;

  const record = (overrides: Partial<CampaignRecord> = {}): CampaignRecord => ({
    id: randomUUID(), namespace: '/fleet', event: 'update', data: { version: '2.1.3' }, expiresAt: Date.now() + LONG_MS, createdAt: Date.now(), ...overrides,
  });
  /** Creates a campaign and returns its id. */
  const create = async (recipients: string[], overrides: Partial<CampaignRecord> = {}): Promise<string> => {
    const campaign = record(overrides);
    await subject.store.create(campaign, recipients);
    return campaign.id;
  };
  /** Claims, records as sent at `offset`, and acks at `offset`: one recipient delivered. */
  const deliver = async (id: string, userId: string, offset = 1): Promise<void> => {
    await subject.store.markSent(id, [{ userId, offset }]);
    await subject.peer.markDelivered(id, [{ userId, offset }]);
  };
  const claimAll = async (id: string): Promise<string[]> => (await subject.store.claim(id, 1_000, LONG_MS))?.recipients ?? [];

  describe(`CampaignStore contract: ${name}`, () => {
    beforeAll(async () => {
      subject = await factory();
    });
    afterAll(() => subject?.cleanup());

    describe('creation and reads', () => {
      it('stores the record, counts distinct recipients, and lists the campaign as active until retired', async () => {
        const data = { version: '2.1.3', notes: ['ünïcode ✓ 🚀'] };
        const campaign = record({ data, ratePerSecond: 12.5 });
        await subject.store.create(campaign, ['alice', 'bob', 'alice', 'carol']);
        data.notes.push('mutated after create');
        expect(await subject.peer.get(campaign.id)).toEqual({ ...campaign, data: { version: '2.1.3', notes: ['ünïcode ✓ 🚀'] } });
        expect(await subject.peer.progress(campaign.id)).toEqual({ id: campaign.id, state: 'running', total: 3, delivered: 0, pending: 3, expired: 0 });
        expect(await subject.peer.active()).toContain(campaign.id);
        await subject.peer.retire(campaign.id);
        expect(await subject.store.active()).not.toContain(campaign.id);
        expect(await subject.store.progress(campaign.id)).toMatchObject({ total: 3 });
      });

      it('keeps a record without a rate limit without one', async () => {
        const campaign = record();
        await subject.store.create(campaign, ['alice']);
        expect(await subject.store.get(campaign.id)).not.toHaveProperty('ratePerSecond');
      });

      it('refuses a campaign without recipients, storing nothing', async () => {
        const campaign = record();
        await expect(subject.store.create(campaign, [])).rejects.toThrow(RangeError);
        expect(await subject.store.get(campaign.id)).toBeUndefined();
        expect(await subject.store.active()).not.toContain(campaign.id);
      });

      it('answers undefined or CampaignNotFoundError for an unknown id', async () => {
        const id = randomUUID();
        expect(await subject.store.get(id)).toBeUndefined();
        expect(await subject.store.progress(id)).toBeUndefined();
        expect(await subject.store.claim(id, 10, LONG_MS)).toBeUndefined();
        await expect(subject.store.control(id, 'pause')).rejects.toThrow(CampaignNotFoundError);
        await subject.store.markSent(id, [{ userId: 'alice', offset: 1 }]); // no campaign: nothing to record, no error
        await subject.store.markDelivered(id, [{ userId: 'alice', offset: 1 }]);
        expect(await subject.store.progress(id)).toBeUndefined();
      });

      it('handles thousands of recipients and ids with separators, braces and unicode', async () => {
        const odd = ['a:b', '{x}', 'x}{y', '%7B', 'a|b', 'with space', 'ünï 🚀'];
        const id = await create([...usersNamed(2_500), ...odd], { id: `odd:{id}|${randomUUID()}` });
        expect(await subject.store.progress(id)).toMatchObject({ total: 2_507, pending: 2_507 });
        const claimed = (await subject.store.claim(id, 5_000, LONG_MS))!.recipients;
        expect(new Set(claimed)).toEqual(new Set([...usersNamed(2_500), ...odd]));
      });
    });

    describe('claims and leases', () => {
      it('leases each recipient to one claimer only, across nodes', async () => {
        const id = await create(usersNamed(60));
        const nodes = [subject.store, subject.peer];
        const claims = await Promise.all(Array.from({ length: 12 }, (_, n) => nodes[n % 2].claim(id, 7, LONG_MS)));
        const claimed = claims.flatMap((claim) => claim!.recipients);
        expect(claims.every((claim) => claim!.state === 'running' && claim!.recipients.length <= 7)).toBe(true);
        expect(claimed).toHaveLength(60);
        expect(new Set(claimed).size).toBe(60);
        expect(await subject.peer.claim(id, 10, LONG_MS)).toEqual({ state: 'running', recipients: [] });
      });

      it('makes recipients claimable again once their lease ran out (their worker died)', async () => {
        const id = await create(['alice', 'bob']);
        expect((await subject.store.claim(id, 10, SHORT_MS))!.recipients.sort()).toEqual(['alice', 'bob']);
        expect((await subject.peer.claim(id, 10, LONG_MS))!.recipients).toEqual([]);
        await sleep(PAST_SHORT_MS);
        expect((await subject.peer.claim(id, 10, LONG_MS))!.recipients.sort()).toEqual(['alice', 'bob']);
        expect((await subject.store.claim(id, 10, LONG_MS))!.recipients).toEqual([]);
      });

      it('never hands a sent recipient out again', async () => {
        const id = await create(['alice', 'bob']);
        await subject.store.claim(id, 10, SHORT_MS);
        await subject.store.markSent(id, [{ userId: 'alice', offset: 3 }]);
        await sleep(PAST_SHORT_MS);
        expect((await subject.peer.claim(id, 10, LONG_MS))!.recipients).toEqual(['bob']);
      });

      it('holds the rate across nodes: two claimers share one token bucket', async () => {
        const id = await create(usersNamed(500), { ratePerSecond: 100 }); // burst: 20
        const nodes = [subject.store, subject.peer];
        const started = Date.now();
        let claimed = 0;
        while (Date.now() - started < 1_000) {
          const claims = await Promise.all(nodes.map((node) => node.claim(id, 50, LONG_MS)));
          claimed += claims.reduce((sum, claim) => sum + claim!.recipients.length, 0);
          await sleep(10);
        }
        const elapsed = Date.now() - started;
        // At most the burst plus what accrued meanwhile; a shared bucket is not much below that either.
        expect(claimed).toBeLessThanOrEqual(20 + Math.ceil((elapsed * 100) / 1_000));
        expect(claimed).toBeGreaterThanOrEqual(80);
      });

      it('grants a burst at most, then only what accrued', async () => {
        const id = await create(usersNamed(50), { ratePerSecond: 20 }); // burst: 4
        expect((await subject.store.claim(id, 50, LONG_MS))!.recipients).toHaveLength(4);
        expect((await subject.peer.claim(id, 50, LONG_MS))!.recipients).toHaveLength(0);
        await sleep(500); // ~10 tokens accrued, capped at the burst
        expect((await subject.peer.claim(id, 50, LONG_MS))!.recipients).toHaveLength(4);
      });
    });

    describe('delivery', () => {
      it('delivers a recipient once an ack covers its sent offset, counting each once whichever nodes report it', async () => {
        const id = await create(['alice', 'bob']);
        await claimAll(id);
        await subject.store.markSent(id, [{ userId: 'alice', offset: 5 }, { userId: 'bob', offset: 9 }]);
        await subject.peer.markDelivered(id, [{ userId: 'alice', offset: 4 }, { userId: 'bob', offset: 8 }]);
        expect(await subject.store.progress(id)).toMatchObject({ state: 'running', delivered: 0, pending: 2 });
        await Promise.all([subject.store, subject.peer, subject.store].map((node) => node.markDelivered(id, [{ userId: 'alice', offset: 6 }])));
        expect(await subject.store.progress(id)).toEqual({ id, state: 'running', total: 2, delivered: 1, pending: 1, expired: 0 });
      });

      it('completes as soon as every recipient is delivered', async () => {
        const id = await create(['alice', 'bob']);
        await claimAll(id);
        await deliver(id, 'alice', 2);
        await deliver(id, 'bob', 7);
        expect(await subject.peer.progress(id)).toEqual({ id, state: 'completed', total: 2, delivered: 2, pending: 0, expired: 0 });
        expect(await subject.store.claim(id, 10, LONG_MS)).toEqual({ state: 'completed', recipients: [] });
        await expect(subject.store.control(id, 'cancel')).rejects.toThrow(CampaignStateError);
      });

      it('ignores a late send record of a recipient another worker already recorded', async () => {
        const id = await create(['alice', 'bob']);
        await claimAll(id);
        await deliver(id, 'alice', 4);
        await subject.peer.markSent(id, [{ userId: 'alice', offset: 4 }]); // the first lease holder, late
        expect(await subject.store.progress(id)).toMatchObject({ delivered: 1, pending: 1 });
      });

      it('delivers at once when an ack of the leased recipient arrived before its send was recorded', async () => {
        const id = await create(['alice', 'bob', 'carol']);
        await claimAll(id);
        await subject.peer.markDelivered(id, [{ userId: 'alice', offset: 8 }, { userId: 'bob', offset: 2 }]);
        await subject.store.markSent(id, [{ userId: 'alice', offset: 8 }, { userId: 'bob', offset: 3 }]);
        expect(await subject.store.progress(id)).toMatchObject({ delivered: 1, pending: 2 });
        await subject.peer.markDelivered(id, [{ userId: 'bob', offset: 3 }]);
        expect(await subject.store.progress(id)).toMatchObject({ delivered: 2, pending: 1 });
      });

      it('lists the recipients sent and not delivered, with their sent offsets, over a walk of pages', async () => {
        const users = Array.from({ length: 60 }, (_, n) => `user-${n}`);
        const id = await create(users);
        await claimAll(id);
        await subject.store.markSent(id, users.slice(0, 50).map((userId, n) => ({ userId, offset: n + 1 })));
        await subject.peer.markDelivered(id, users.slice(0, 10).map((userId, n) => ({ userId, offset: n + 1 })));
        const seen = new Map<string, number>();
        let cursor = '0';
        let pages = 0;
        do {
          const page = await subject.peer.awaitingAck(id, cursor, 7);
          page.recipients.forEach(({ userId, offset }) => seen.set(userId, offset));
          cursor = page.cursor;
          pages += 1;
        } while (cursor !== '0' && pages < 100);
        expect(cursor).toBe('0');
        expect([...seen].sort(([a], [b]) => a.localeCompare(b))).toEqual(
          users.slice(10, 50).map((userId) => [userId, users.indexOf(userId) + 1] as [string, number]).sort(([a], [b]) => a.localeCompare(b)),
        );
        expect(await subject.store.awaitingAck('no-such-campaign', '0', 10)).toEqual({ recipients: [], cursor: '0' });
      });

      it('does not let an ack of a recipient that was never claimed count for a later send', async () => {
        const id = await create(['alice', 'bob']);
        await subject.peer.markDelivered(id, [{ userId: 'alice', offset: 50 }]); // an older chat message's ack
        await claimAll(id);
        await subject.store.markSent(id, [{ userId: 'alice', offset: 51 }]);
        expect(await subject.store.progress(id)).toMatchObject({ delivered: 0, pending: 2 });
      });
    });

    describe('pause, resume, cancel', () => {
      it('stops claims while paused, still records sends in flight, and resumes', async () => {
        const id = await create(['alice', 'bob', 'carol']);
        expect((await subject.store.claim(id, 1, LONG_MS))!.recipients).toHaveLength(1);
        const [inFlight] = (await subject.store.claim(id, 1, LONG_MS))!.recipients;
        expect(await subject.peer.control(id, 'pause')).toMatchObject({ state: 'paused', pending: 3 });
        expect(await subject.store.control(id, 'pause')).toMatchObject({ state: 'paused' });
        expect(await subject.store.claim(id, 10, LONG_MS)).toEqual({ state: 'paused', recipients: [] });
        await deliver(id, inFlight, 1);
        expect(await subject.store.progress(id)).toEqual({ id, state: 'paused', total: 3, delivered: 1, pending: 2, expired: 0 });
        expect(await subject.peer.control(id, 'resume')).toMatchObject({ state: 'running' });
        expect((await subject.store.claim(id, 10, LONG_MS))!.recipients).toHaveLength(1);
      });

      it('cancels: the undelivered count as expired, and nothing changes afterwards', async () => {
        const id = await create(['alice', 'bob', 'carol', 'dave']);
        await claimAll(id);
        await deliver(id, 'alice', 1);
        await subject.store.markSent(id, [{ userId: 'bob', offset: 1 }]);
        const cancelled = { id, state: 'cancelled', total: 4, delivered: 1, pending: 0, expired: 3 };
        expect(await subject.peer.control(id, 'cancel')).toEqual(cancelled);
        await subject.store.markDelivered(id, [{ userId: 'bob', offset: 1 }]);
        await subject.store.markSent(id, [{ userId: 'carol', offset: 1 }]);
        expect(await subject.store.claim(id, 10, LONG_MS)).toEqual({ state: 'cancelled', recipients: [] });
        expect(await subject.store.progress(id)).toEqual(cancelled);
        for (const action of ['pause', 'resume', 'cancel'] as const) {
          await expect(subject.store.control(id, action)).rejects.toThrow(CampaignStateError);
        }
      });
    });

    describe('expiry', () => {
      it('counts the undelivered as expired at expiresAt, before any worker finalised it, and ignores later acks', async () => {
        const id = await create(['alice', 'bob', 'carol'], { expiresAt: Date.now() + 300 });
        await claimAll(id);
        await deliver(id, 'alice', 1);
        await subject.store.markSent(id, [{ userId: 'bob', offset: 1 }]);
        await sleep(400);
        const expired = { id, state: 'expired', total: 3, delivered: 1, pending: 0, expired: 2 };
        expect(await subject.peer.progress(id)).toEqual(expired);
        await subject.peer.markDelivered(id, [{ userId: 'bob', offset: 1 }]);
        expect(await subject.store.claim(id, 10, LONG_MS)).toEqual({ state: 'expired', recipients: [] });
        expect(await subject.store.progress(id)).toEqual(expired);
        await expect(subject.store.control(id, 'resume')).rejects.toThrow(/expired/);
      });

      it('expires a paused campaign too', async () => {
        const id = await create(['alice'], { expiresAt: Date.now() + 200 });
        await subject.store.control(id, 'pause');
        await sleep(300);
        await expect(subject.peer.control(id, 'resume')).rejects.toThrow(CampaignStateError);
        expect(await subject.store.progress(id)).toEqual({ id, state: 'expired', total: 1, delivered: 0, pending: 0, expired: 1 });
      });
    });
  });
}
