import { CampaignNotFoundError, CampaignStateError } from './campaign.errors.js';
import type { CampaignControl, CampaignRecord, CampaignStore, ClaimResult, RecipientOffset } from './campaign.store.js';
import type { CampaignProgress, CampaignState } from './campaign.types.js';
import { FINAL_STATES, KEEP_AFTER_EXPIRY_MS } from './campaign.tuning.js';
import { TokenBucket } from './token-bucket.js';

export interface MemoryCampaignStoreOptions {
  /** Clock in ms; injectable so tests can expire campaigns and leases without waiting. */
  now?: () => number;
}

/** One campaign, laid out like the Redis keys (see `redis/campaign-keys.ts`). */
interface MemoryCampaign {
  record: Omit<CampaignRecord, 'data'>;
  /** The data as JSON: a snapshot, so the caller mutating its object later changes nothing. */
  dataJson: string;
  state: CampaignState;
  total: number;
  /**
   * Not yet sent → lease expiry (0: never claimed). Claimed entries are moved to the back, so the map
   * holds the never-claimed first, then the leased in expiry order: a claim stops at the first live lease.
   */
  pending: Map<string, number>;
  sent: Map<string, number>;
  delivered: Map<string, number>;
  /** Acks seen while a recipient was leased, before its send was recorded. */
  early: Map<string, number>;
  bucket?: TokenBucket;
  /** Set when the campaign becomes final. */
  expired: number;
}

/**
 * {@link CampaignStore} held in this process, for a single node (and tests). Every method runs to
 * completion without awaiting, so each transition is atomic. Finished campaigns are dropped
 * {@link KEEP_AFTER_EXPIRY_MS} after their expiry, when the next campaign is created.
 */
export class MemoryCampaignStore implements CampaignStore {
  private readonly campaigns = new Map<string, MemoryCampaign>();
  private readonly activeIds = new Set<string>();
  private readonly now: () => number;

  constructor(options: MemoryCampaignStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(record: CampaignRecord, recipients: string[]): Promise<void> {
    this.forgetOld();
    const pending = new Map([...new Set(recipients)].map((userId) => [userId, 0]));
    if (pending.size === 0) throw new RangeError('a campaign needs at least one recipient');
    const bucket = record.ratePerSecond === undefined ? undefined : new TokenBucket(record.ratePerSecond, this.now());
    const { data, ...rest } = record;
    this.campaigns.set(record.id, {
      record: rest, dataJson: JSON.stringify(data), state: 'running', total: pending.size,
      pending, sent: new Map(), delivered: new Map(), early: new Map(), bucket, expired: 0,
    });
    this.activeIds.add(record.id);
  }

  async get(id: string): Promise<CampaignRecord | undefined> {
    const campaign = this.campaigns.get(id);
    return campaign && { ...campaign.record, data: JSON.parse(campaign.dataJson) as unknown };
  }

  async progress(id: string): Promise<CampaignProgress | undefined> {
    const campaign = this.campaigns.get(id);
    return campaign && this.progressOf(campaign);
  }

  async active(): Promise<string[]> {
    return [...this.activeIds];
  }

  async retire(id: string): Promise<void> {
    this.activeIds.delete(id);
  }

  async claim(id: string, max: number, leaseMs: number): Promise<ClaimResult | undefined> {
    const campaign = this.campaigns.get(id);
    if (!campaign) return undefined;
    const now = this.now();
    this.finaliseIfDue(campaign, now);
    if (campaign.state !== 'running') return { state: campaign.state, recipients: [] };
    const wanted = campaign.bucket ? campaign.bucket.available(now, max) : max;
    const recipients: string[] = [];
    for (const [userId, leaseUntil] of campaign.pending) {
      if (recipients.length >= wanted || leaseUntil > now) break;
      recipients.push(userId);
    }
    for (const userId of recipients) {
      campaign.pending.delete(userId); // re-inserted at the back: see `pending`
      campaign.pending.set(userId, now + leaseMs);
    }
    campaign.bucket?.take(recipients.length);
    return { state: campaign.state, recipients };
  }

  async markSent(id: string, sent: RecipientOffset[]): Promise<void> {
    const campaign = this.campaigns.get(id);
    // A batch that was in flight when the campaign paused is still recorded; a final campaign takes nothing.
    if (!campaign || FINAL_STATES.has(campaign.state)) return;
    for (const { userId, offset } of sent) {
      if (!campaign.pending.delete(userId)) continue; // another lease holder recorded it first
      const early = campaign.early.get(userId);
      campaign.early.delete(userId);
      if (early !== undefined && early >= offset) campaign.delivered.set(userId, offset);
      else campaign.sent.set(userId, offset);
    }
    this.completeIfAllDelivered(campaign);
  }

  async markDelivered(id: string, acks: RecipientOffset[]): Promise<void> {
    const campaign = this.campaigns.get(id);
    if (!campaign || FINAL_STATES.has(campaign.state) || this.now() >= campaign.record.expiresAt) return;
    for (const { userId, offset: acked } of acks) {
      const sentAt = campaign.sent.get(userId);
      if (sentAt !== undefined) {
        if (sentAt > acked) continue;
        campaign.sent.delete(userId);
        campaign.delivered.set(userId, sentAt);
      } else if ((campaign.pending.get(userId) ?? 0) > 0) {
        campaign.early.set(userId, Math.max(acked, campaign.early.get(userId) ?? 0));
      }
    }
    this.completeIfAllDelivered(campaign);
  }

  /** The whole list in one page: in one process it is cheap, and a cursor into a map being edited could skip entries. */
  async awaitingAck(id: string, _cursor = '0', _count = 0): Promise<{ recipients: RecipientOffset[]; cursor: string }> {
    const sent = this.campaigns.get(id)?.sent ?? new Map<string, number>();
    return { recipients: [...sent].map(([userId, offset]) => ({ userId, offset })), cursor: '0' };
  }

  async control(id: string, action: CampaignControl): Promise<CampaignProgress> {
    const campaign = this.campaigns.get(id);
    if (!campaign) throw new CampaignNotFoundError(id);
    this.finaliseIfDue(campaign, this.now());
    if (FINAL_STATES.has(campaign.state)) throw new CampaignStateError(id, campaign.state, action);
    if (action === 'cancel') this.finalise(campaign, 'cancelled');
    else campaign.state = action === 'pause' ? 'paused' : 'running';
    return this.progressOf(campaign);
  }

  private progressOf(campaign: MemoryCampaign): CampaignProgress {
    const { id, expiresAt } = campaign.record;
    const { total } = campaign;
    const delivered = campaign.delivered.size;
    if (FINAL_STATES.has(campaign.state)) return { id, state: campaign.state, total, delivered, pending: 0, expired: campaign.expired };
    if (this.now() >= expiresAt) return { id, state: delivered === total ? 'completed' : 'expired', total, delivered, pending: 0, expired: total - delivered };
    return { id, state: campaign.state, total, delivered, pending: total - delivered, expired: 0 };
  }

  private finaliseIfDue(campaign: MemoryCampaign, now: number): void {
    if (!FINAL_STATES.has(campaign.state) && now >= campaign.record.expiresAt) {
      this.finalise(campaign, campaign.delivered.size === campaign.total ? 'completed' : 'expired');
    }
  }

  private completeIfAllDelivered(campaign: MemoryCampaign): void {
    if (campaign.delivered.size === campaign.total) this.finalise(campaign, 'completed');
  }

  private finalise(campaign: MemoryCampaign, state: CampaignState): void {
    campaign.state = state;
    campaign.expired = campaign.total - campaign.delivered.size;
    campaign.pending.clear();
    campaign.early.clear();
    campaign.bucket = undefined;
  }

  private forgetOld(): void {
    const now = this.now();
    for (const [id, campaign] of this.campaigns) {
      if (FINAL_STATES.has(campaign.state) && campaign.record.expiresAt + KEEP_AFTER_EXPIRY_MS < now) this.campaigns.delete(id);
    }
  }
}
