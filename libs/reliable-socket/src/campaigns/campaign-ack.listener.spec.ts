import { afterEach, describe, expect, it } from '@jest/globals';
import { StreamName } from '@reliable-socket/client/protocol';
import { MemoryStreamStore } from '../store/memory-stream.store.js';
import { waitFor } from '../../../../test/support/wait.js';
import { ActiveCampaigns } from './active-campaigns.js';
import { CampaignAckListener } from './campaign-ack.listener.js';
import { MemoryCampaignStore } from './memory-campaign.store.js';

/** The in-memory stream store, with the "your ack notices may have been lost" signal under the test's control. */
class MissableStreamStore extends MemoryStreamStore {
  private readonly missedListeners = new Set<() => void>();

  override onAcksMissed(listener: () => void): () => void {
    this.missedListeners.add(listener);
    return () => this.missedListeners.delete(listener);
  }

  announceAcksMissed(): void {
    this.missedListeners.forEach((listener) => listener());
  }
}

const NAMESPACE = '/fleet';
const userStream = (userId: string) => ({ namespace: NAMESPACE, stream: StreamName.user(userId) });

describe('CampaignAckListener', () => {
  const streams = new MissableStreamStore({ retention: { maxLength: 1_000, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000 });
  let listener: CampaignAckListener | undefined;

  afterEach(async () => {
    await listener?.onModuleDestroy();
  });

  it('delivers recipients whose acks it missed (an outage of its subscription) once told the notices may be lost', async () => {
    const campaigns = new MemoryCampaignStore();
    const id = 'update-1';
    await campaigns.create({ id, namespace: NAMESPACE, event: 'update', data: {}, expiresAt: Date.now() + 60_000, createdAt: Date.now() }, ['alice', 'bob', 'carol']);
    await campaigns.claim(id, 10, 60_000);
    const sent = await Promise.all(['alice', 'bob', 'carol'].map((userId) => streams.append(userStream(userId), { event: 'update', data: {} })));
    await campaigns.markSent(id, [{ userId: 'alice', offset: sent[0].offset }, { userId: 'bob', offset: sent[1].offset }, { userId: 'carol', offset: sent[2].offset }]);
    // Alice's and Carol's devices ack while no listener hears it; Bob's device never acks.
    await streams.ack(userStream('alice'), sent[0].offset);
    await streams.ack(userStream('carol'), sent[2].offset);

    const active = new ActiveCampaigns(campaigns);
    await active.refresh();
    listener = new CampaignAckListener(streams, campaigns, active);
    expect(await campaigns.progress(id)).toMatchObject({ delivered: 0, pending: 3 });

    streams.announceAcksMissed();
    await waitFor(async () => (await campaigns.progress(id))?.delivered === 2, { timeoutMs: 2_000, message: 'the missed acks to be re-read' });
    expect(await campaigns.progress(id)).toMatchObject({ state: 'running', delivered: 2, pending: 1 });
    expect((await campaigns.awaitingAck(id, '0', 10)).recipients).toEqual([{ userId: 'bob', offset: sent[1].offset }]);
  });
});
