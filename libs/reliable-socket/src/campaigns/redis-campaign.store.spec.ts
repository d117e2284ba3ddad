import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, redisUrl, scanKeys, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { streamTag } from '../store/redis/stream-keys.js';
import { describeCampaignStoreContract } from './campaign.store.contract.js';
import { KEEP_AFTER_EXPIRY_MS } from './campaign.tuning.js';
import { RedisCampaignStore } from './redis-campaign.store.js';

const url = redisUrl();
const filePrefix = testKeyPrefix('campaigns');
let storesOpened = 0;

/** One "node": a store on its own connection. */
function openNode(keyPrefix = `${filePrefix}${storesOpened++}:`) {
  const client = new Redis(url);
  const store = new RedisCampaignStore({ client, keyPrefix });
  return { store, client, keyPrefix, close: async () => void (await client.quit()) };
}

afterAll(() => deleteKeysWithPrefix(url, filePrefix));

describeCampaignStoreContract('RedisCampaignStore', async () => {
  // Two connections on one prefix: claims and acks racing from both show the scripts are atomic across nodes.
  const keyPrefix = `${filePrefix}${storesOpened++}:`;
  const [one, two] = [openNode(keyPrefix), openNode(keyPrefix)];
  return { store: one.store, peer: two.store, cleanup: async () => void (await Promise.all([one.close(), two.close()])) };
});

describe('RedisCampaignStore on Redis', () => {
  const expiresAt = Date.now() + 60_000;
  const record = (id: string) => ({ id, namespace: '/fleet', event: 'update', data: { v: 1 }, expiresAt, ratePerSecond: 50, createdAt: Date.now() });

  it('keeps every key of a campaign under one hash tag, expiring with it', async () => {
    const node = openNode();
    try {
      const id = 'c{1}|x';
      await node.store.create(record(id), ['alice', 'bob', 'carol']);
      const [claimed] = (await node.store.claim(id, 2, 60_000))!.recipients;
      await node.store.markDelivered(id, [{ userId: claimed, offset: 9 }]); // early: the send is not recorded yet
      await node.store.markSent(id, [{ userId: (await node.store.claim(id, 1, 60_000))!.recipients[0], offset: 3 }]);
      const tag = streamTag('campaigns', id);
      expect(tag).toBe('{campaigns|c%7B1%7D%7Cx}');
      const campaignKeys = ['bucket', 'early', 'meta', 'pending', 'sent'].map((name) => `${node.keyPrefix}${tag}:${name}`);
      expect(await scanKeys(node.client, node.keyPrefix)).toEqual([`${node.keyPrefix}campaigns:active`, ...campaignKeys].sort());
      for (const key of campaignKeys) expect(await node.client.pexpiretime(key)).toBe(expiresAt + KEEP_AFTER_EXPIRY_MS);
      expect(await node.client.smembers(`${node.keyPrefix}campaigns:active`)).toEqual([id]);
      expect(await node.client.hgetall(`${node.keyPrefix}${tag}:meta`)).toMatchObject({ state: 'running', total: '3', rate: '50', burst: '10', data: '{"v":1}' });
    } finally {
      await node.close();
    }
  });

  it('records offsets per recipient and drops what only served sending once final', async () => {
    const node = openNode();
    try {
      const id = 'final';
      await node.store.create(record(id), ['alice', 'bob', 'carol']);
      await node.store.claim(id, 3, 60_000);
      await node.store.markSent(id, [{ userId: 'alice', offset: 4 }, { userId: 'bob', offset: 7 }]);
      await node.store.markDelivered(id, [{ userId: 'alice', offset: 4 }]);
      await node.store.control(id, 'cancel');
      const base = `${node.keyPrefix}${streamTag('campaigns', id)}`;
      expect(await node.client.hgetall(`${base}:delivered`)).toEqual({ alice: '4' });
      expect(await node.client.hgetall(`${base}:sent`)).toEqual({ bob: '7' });
      expect(await node.client.exists(`${base}:pending`, `${base}:bucket`, `${base}:early`)).toBe(0);
      expect(await node.client.hmget(`${base}:meta`, 'state', 'expired')).toEqual(['cancelled', '2']);
    } finally {
      await node.close();
    }
  });

  it('shares one token bucket between three nodes claiming in parallel', async () => {
    const keyPrefix = `${filePrefix}${storesOpened++}:`;
    const nodes = [openNode(keyPrefix), openNode(keyPrefix), openNode(keyPrefix)];
    try {
      await nodes[0].store.create({ ...record('shared'), ratePerSecond: 40 }, Array.from({ length: 300 }, (_, i) => `u${i}`)); // burst 8
      const claimedAt: number[] = [];
      const started = Date.now();
      await Promise.all(nodes.map(async ({ store }) => {
        while (Date.now() - started < 1_500) {
          const { recipients } = (await store.claim('shared', 20, 60_000))!;
          for (const _ of recipients) claimedAt.push(Date.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }));
      // Any 500 ms window holds at most its 20 tokens plus the burst, whichever node claimed them.
      for (let from = 0; from <= 1_000; from += 50) {
        expect(claimedAt.filter((at) => at >= from && at < from + 500).length).toBeLessThanOrEqual(20 + 8 + 1);
      }
      expect(claimedAt.length).toBeGreaterThanOrEqual(50);
      expect(claimedAt.length).toBeLessThanOrEqual(8 + 60 + 1);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
    }
  });

  it('refuses a key prefix containing a brace', () => {
    const client = new Redis(url, { lazyConnect: true });
    expect(() => new RedisCampaignStore({ client, keyPrefix: 'rs:{x}:' })).toThrow(/keyPrefix/);
    client.disconnect();
  });
});
