import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { StreamName } from '@reliable-socket/client/protocol';
import { StreamStore, type StreamKey } from '../store/stream.store.js';
import { ActiveCampaigns } from './active-campaigns.js';
import { CampaignStore, type RecipientOffset } from './campaign.store.js';
import { ACK_FLUSH_MS } from './campaign.tuning.js';

const USER_STREAM = StreamName.user('');
/** Acks per store call: bounds the script's argument list. */
const ACKS_PER_CALL = 500;
/** Recipients asked for per page when acks are re-read after missed notices. */
const RECHECK_PAGE = 500;

/**
 * Turns acks into deliveries. `StreamStore.onAck` reports every ack recorded anywhere to every node, so
 * every node records them (the store counts each recipient once): a campaign keeps counting whichever
 * nodes are alive. Acks of user streams are gathered for {@link ACK_FLUSH_MS} (keeping the highest
 * offset per user) and recorded with one store call per active campaign of the namespace.
 *
 * Notices published while this node's subscription was down are lost to it; if every node missed one
 * (a Redis outage), the acks are re-read from the streams once the subscription is back: each recipient
 * sent and not delivered yet is delivered if its stream's acked offset covers the campaign message.
 */
@Injectable()
export class CampaignAckListener implements OnModuleDestroy {
  private readonly logger = new Logger('ReliableSocket:Campaigns');
  /** namespace → user → highest acked offset, since the last flush. */
  private gathered = new Map<string, Map<string, number>>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;
  private rechecking: Promise<void> = Promise.resolve();

  constructor(
    @Inject(StreamStore) private readonly streams: StreamStore,
    @Inject(CampaignStore) private readonly store: CampaignStore,
    private readonly campaigns: ActiveCampaigns,
  ) {
    this.unsubscribe = streams.onAck((key, offset) => this.gather(key, offset));
    this.unwatch = streams.onAcksMissed(() => {
      this.rechecking = this.rechecking.then(() => this.recheck());
    });
  }

  /** Records what was gathered before the backend closes. */
  async onModuleDestroy(): Promise<void> {
    this.unsubscribe();
    this.unwatch();
    clearTimeout(this.timer);
    await this.rechecking;
    await this.flushing;
    await this.flush();
  }

  private gather({ namespace, stream }: StreamKey, offset: number): void {
    if (!stream.startsWith(USER_STREAM) || this.campaigns.inNamespace(namespace).length === 0) return;
    let users = this.gathered.get(namespace);
    if (!users) this.gathered.set(namespace, (users = new Map()));
    const userId = stream.slice(USER_STREAM.length);
    users.set(userId, Math.max(offset, users.get(userId) ?? 0));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, ACK_FLUSH_MS);
  }

  private async flush(): Promise<void> {
    const gathered = this.gathered;
    this.gathered = new Map();
    const calls: Promise<void>[] = [];
    for (const [namespace, users] of gathered) {
      const acks: RecipientOffset[] = [...users].map(([userId, offset]) => ({ userId, offset }));
      for (const campaign of this.campaigns.inNamespace(namespace)) {
        for (let start = 0; start < acks.length; start += ACKS_PER_CALL) calls.push(this.store.markDelivered(campaign.id, acks.slice(start, start + ACKS_PER_CALL)));
      }
    }
    for (const result of await Promise.allSettled(calls)) {
      // Other nodes record the same acks; a lost batch only matters if every node lost it.
      if (result.status === 'rejected') this.logger.warn(`recording campaign acks failed: ${(result.reason as Error)?.message}`);
    }
  }

  /** Re-reads the acks of every recipient awaiting one, campaign by campaign, a page at a time. */
  private async recheck(): Promise<void> {
    for (const campaign of this.campaigns.all()) {
      try {
        let cursor = '0';
        do {
          const page = await this.store.awaitingAck(campaign.id, cursor, RECHECK_PAGE);
          cursor = page.cursor;
          const acked = await Promise.all(
            page.recipients.map(({ userId }) => this.streams.ackedOffset({ namespace: campaign.namespace, stream: StreamName.user(userId) })),
          );
          const covering: RecipientOffset[] = [];
          page.recipients.forEach(({ userId, offset }, i) => acked[i] >= offset && covering.push({ userId, offset: acked[i] }));
          if (covering.length > 0) await this.store.markDelivered(campaign.id, covering);
        } while (cursor !== '0');
      } catch (error) {
        this.logger.warn(`re-reading the acks of campaign ${campaign.id} failed: ${(error as Error)?.message}`);
      }
    }
  }
}
