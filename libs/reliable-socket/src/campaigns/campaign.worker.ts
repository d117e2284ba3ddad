import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ReliableEmitter } from '../delivery/reliable.emitter.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { RepeatingTask } from '../presence/repeating-task.js';
import { ActiveCampaigns } from './active-campaigns.js';
import { CampaignStore, type CampaignRecord, type RecipientOffset } from './campaign.store.js';
import { CLAIM_BATCH, CLAIM_LEASE_MS, FINAL_STATES, WORKER_TICK_MS } from './campaign.tuning.js';

/** How often each node refreshes the progress gauges of a running campaign. */
const REPORT_EVERY_MS = 1_000;

/** How long shutdown waits for the batch in flight to be recorded before the backend closes. */
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * The idempotency key of a campaign's message in every recipient's stream: a recipient sent to twice
 * (its worker's lease ran out) still has the message appended once, at the same offset.
 */
export const campaignMessageKey = (id: string): string => `campaign:${id}`;

/**
 * Delivers campaigns, on every node. Each tick (jittered around {@link WORKER_TICK_MS}, so nodes do not
 * poll in lockstep) it walks the active campaigns and, per campaign, claims a batch of recipients with a
 * lease (within the cluster-wide rate), appends the message to each recipient's user stream (live to
 * its connected devices, replayed to the others when they reconnect), then records the offsets. A node
 * that dies mid-batch loses nothing: its leases run out and other nodes claim those recipients again.
 * Pause, resume and cancel are states in the store, so every node honours them on its next tick.
 */
@Injectable()
export class CampaignWorker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ReliableSocket:Campaigns');
  private readonly reportedAt = new Map<string, number>();
  private readonly task: RepeatingTask;
  private current: Promise<void> = Promise.resolve();
  /** The last tick claimed a full batch: more is waiting, so the next one comes at once. */
  private busy = false;

  constructor(
    @Inject(CampaignStore) private readonly store: CampaignStore,
    private readonly campaigns: ActiveCampaigns,
    private readonly emitter: ReliableEmitter,
    private readonly registry: NamespaceRegistry,
    private readonly metrics: ReliableMetrics,
  ) {
    this.task = new RepeatingTask(
      () => (this.current = this.tick()),
      () => (this.busy ? 0 : WORKER_TICK_MS * (0.5 + Math.random())),
      (error) => this.logger.warn(`campaign tick failed: ${(error as Error)?.message ?? error}`),
    );
  }

  onModuleInit(): void {
    this.task.start();
  }

  /** Runs before the Socket.IO servers and the backend close, so the batch in flight is sent and recorded. */
  async onModuleDestroy(): Promise<void> {
    this.task.stop();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
    });
    await Promise.race([this.current.catch(() => undefined), timeout]);
    clearTimeout(timer);
  }

  private async tick(): Promise<void> {
    const bound = new Set(this.registry.names());
    let busy = false;
    for (const campaign of await this.campaigns.refresh()) {
      busy = (await this.work(campaign, bound.has(campaign.namespace))) || busy;
      await this.report(campaign.id);
    }
    this.busy = busy;
  }

  /** Feeds the campaign gauges, at most once per {@link REPORT_EVERY_MS} per campaign: a store read each time. */
  private async report(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.reportedAt.get(id) ?? 0) < REPORT_EVERY_MS) return;
    this.reportedAt.set(id, now);
    const progress = await this.store.progress(id);
    if (progress) this.metrics.reportCampaign(progress);
    if (!progress || FINAL_STATES.has(progress.state)) this.reportedAt.delete(id);
  }

  /** One batch of one campaign; true when the batch was full. */
  private async work(campaign: CampaignRecord, bound: boolean): Promise<boolean> {
    // A node without the campaign's gateway claims nothing, but its claim still finalises a due campaign.
    const claim = await this.store.claim(campaign.id, bound ? CLAIM_BATCH : 0, CLAIM_LEASE_MS);
    if (!claim || FINAL_STATES.has(claim.state)) {
      await this.store.retire(campaign.id);
      this.campaigns.forget(campaign.id);
      return false;
    }
    if (claim.recipients.length === 0) return false;
    await this.store.markSent(campaign.id, await this.send(campaign, claim.recipients));
    return claim.recipients.length === CLAIM_BATCH;
  }

  /** Appends the message for each recipient; a failed append stays leased and is retried after the lease. */
  private async send(campaign: CampaignRecord, recipients: string[]): Promise<RecipientOffset[]> {
    const target = this.emitter.of(campaign.namespace);
    const options = { idempotencyKey: campaignMessageKey(campaign.id), expiresAt: campaign.expiresAt };
    const results = await Promise.allSettled(recipients.map((userId) => target.toUser(userId).emit(campaign.event, campaign.data, options)));
    const sent: RecipientOffset[] = [];
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') sent.push({ userId: recipients[index], offset: result.value.offset });
    });
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      this.logger.warn(`campaign ${campaign.id}: ${recipients.length - sent.length} of ${recipients.length} appends failed (${(failed.reason as Error)?.message}); retried in ${CLAIM_LEASE_MS} ms`);
    }
    return sent;
  }
}
