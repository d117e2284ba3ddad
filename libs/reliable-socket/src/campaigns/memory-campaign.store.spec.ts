import { describe, expect, it } from '@jest/globals';
import { describeCampaignStoreContract } from './campaign.store.contract.js';
import { KEEP_AFTER_EXPIRY_MS } from './campaign.tuning.js';
import { MemoryCampaignStore } from './memory-campaign.store.js';

describeCampaignStoreContract('MemoryCampaignStore', async () => {
  const store = new MemoryCampaignStore();
  // One process is one node: the peer is the same store.
  return { store, peer: store, cleanup: async () => undefined };
});

describe('MemoryCampaignStore (injected clock)', () => {
  const withClock = () => {
    const clock = { now: 1_000_000 };
    return { clock, store: new MemoryCampaignStore({ now: () => clock.now }) };
  };
  const record = (id: string, expiresAt: number) => ({ id, namespace: '/fleet', event: 'update', data: null, expiresAt, createdAt: 0 });

  it('holds a lease for exactly leaseMs', async () => {
    const { clock, store } = withClock();
    await store.create(record('c1', clock.now + 60_000), ['alice']);
    expect((await store.claim('c1', 10, 1_000))!.recipients).toEqual(['alice']);
    clock.now += 999;
    expect((await store.claim('c1', 10, 1_000))!.recipients).toEqual([]);
    clock.now += 1;
    expect((await store.claim('c1', 10, 1_000))!.recipients).toEqual(['alice']);
  });

  it('expires exactly at expiresAt', async () => {
    const { clock, store } = withClock();
    await store.create(record('c1', clock.now + 500), ['alice']);
    clock.now += 499;
    expect(await store.progress('c1')).toMatchObject({ state: 'running', pending: 1 });
    clock.now += 1;
    expect(await store.progress('c1')).toMatchObject({ state: 'expired', pending: 0, expired: 1 });
  });

  it('forgets a finished campaign once it is kept long enough past its expiry', async () => {
    const { clock, store } = withClock();
    await store.create(record('old', clock.now + 100), ['alice']);
    await store.control('old', 'cancel');
    clock.now += 100 + KEEP_AFTER_EXPIRY_MS;
    await store.create(record('new', clock.now + 100), ['bob']);
    expect(await store.progress('old')).toMatchObject({ state: 'cancelled' });
    clock.now += 1;
    await store.create(record('newer', clock.now + 100), ['bob']);
    expect(await store.progress('old')).toBeUndefined();
    expect(await store.progress('new')).toMatchObject({ state: 'running' });
  });
});
