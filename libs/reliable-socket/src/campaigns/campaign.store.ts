import type { CampaignProgress, CampaignState } from './campaign.types.js';

/** What is stored of a campaign besides its recipients. Immutable once created. */
export interface CampaignRecord {
  id: string;
  namespace: string;
  event: string;
  data: unknown;
  /** ms since the epoch. */
  expiresAt: number;
  /** Recipients per second across the cluster; absent: no limit. */
  ratePerSecond?: number;
  createdAt: number;
}

/** A recipient's user stream offset: where the campaign message was appended, or how far a device acked. */
export interface RecipientOffset {
  userId: string;
  offset: number;
}

/** What a claim found: the campaign's state after the call and the recipients now leased to the caller. */
export interface ClaimResult {
  state: CampaignState;
  recipients: string[];
}

export type CampaignControl = 'pause' | 'resume' | 'cancel';

/**
 * The campaigns shared by every node, and each recipient's way through one:
 *
 * pending (claimable) → leased (a worker is sending; back to claimable when the lease runs out)
 * → sent (appended at an offset) → delivered (an ack of the user stream covers that offset).
 *
 * At `expiresAt`, or on cancel, the campaign becomes final and whatever is not delivered counts as
 * expired; once every recipient is delivered it is `completed` at once. Every transition is atomic, and
 * every write is idempotent, so all nodes may report the same ack or the same send.
 *
 * Implementations: `RedisCampaignStore` (a cluster) and `MemoryCampaignStore` (one process); both pass
 * `campaign.store.contract.ts`.
 */
export interface CampaignStore {
  /** Stores the campaign (recipients deduplicated) and lists it as active. */
  create(record: CampaignRecord, recipients: string[]): Promise<void>;
  get(id: string): Promise<CampaignRecord | undefined>;
  /** Exact counts now; a campaign past `expiresAt` reads as final even before a worker finalised it. */
  progress(id: string): Promise<CampaignProgress | undefined>;
  /** Ids of the campaigns workers must look at (not yet retired). */
  active(): Promise<string[]>;
  /** Drops a final campaign from the active list (its record stays readable). */
  retire(id: string): Promise<void>;
  /**
   * Leases up to `max` claimable recipients for `leaseMs`, within the campaign's cluster-wide rate, if it
   * is running and not past `expiresAt` (a campaign found past it is finalised here). Undefined: unknown id.
   */
  claim(id: string, max: number, leaseMs: number): Promise<ClaimResult | undefined>;
  /** Records where each recipient's message was appended. A recipient that is no longer pending is left alone. */
  markSent(id: string, sent: RecipientOffset[]): Promise<void>;
  /** Records acks of recipients' user streams; one covering a recipient's sent offset delivers it. */
  markDelivered(id: string, acks: RecipientOffset[]): Promise<void>;
  /**
   * A page of the recipients sent and not delivered yet, with their sent offsets: what a node re-reads
   * acks for after it may have missed ack notices. Start at cursor `'0'`; the walk ends when `'0'` comes
   * back. A page may be empty or hold more than `count`; a recipient awaiting its ack during the whole
   * walk is returned at least once.
   */
  awaitingAck(id: string, cursor: string, count: number): Promise<{ recipients: RecipientOffset[]; cursor: string }>;
  /** Pauses, resumes or cancels; throws `CampaignNotFoundError`, or `CampaignStateError` once final. */
  control(id: string, action: CampaignControl): Promise<CampaignProgress>;
}

/** DI token for the active {@link CampaignStore}. */
export const CampaignStore = Symbol('ReliableSocket:CampaignStore');
