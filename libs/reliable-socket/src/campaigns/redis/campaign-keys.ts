import { streamTag } from '../../store/redis/stream-keys.js';

/**
 * The scope campaign ids are tagged under. Namespaces always start with `/`, so `{campaigns|<id>}` can
 * never be the tag of a stream.
 */
const CAMPAIGN_SCOPE = 'campaigns';

/**
 * Key names of the Redis campaign store, all under one prefix. Every key of one campaign carries the tag
 * `{campaigns|<id>}` (built by `streamTag`, so ids are encoded the same way as stream names), which puts
 * them in one Redis Cluster slot: each script touches one slot.
 *
 * - `<prefix>{campaigns|<id>}:meta` — hash: `namespace`, `event`, `data` (JSON), `expiresAt`, `rate`,
 *   `createdAt`, `state`, `total`, and once final `expired` and `finishedAt`
 * - `<prefix>{campaigns|<id>}:pending` — sorted set of recipients not yet sent, score = lease expiry
 *   (ms, Redis clock; 0 = never claimed): claimable when the score is ≤ now
 * - `<prefix>{campaigns|<id>}:sent` — hash user → offset of the campaign message in the user's stream
 * - `<prefix>{campaigns|<id>}:delivered` — hash user → offset, for recipients whose ack covered it
 * - `<prefix>{campaigns|<id>}:early` — hash user → acked offset seen while the user was leased
 * - `<prefix>{campaigns|<id>}:bucket` — hash `tokens`, `ts`: the cluster-wide token bucket
 * - `<prefix>campaigns:active` — set of the ids workers poll (its own slot; only ever touched alone)
 *
 * Every per-campaign key expires `KEEP_AFTER_EXPIRY_MS` after the campaign's `expiresAt`.
 */
export class CampaignKeys {
  readonly active: string;

  constructor(private readonly prefix: string) {
    // A brace in the prefix would become the hash tag of every key and put all campaigns in one slot.
    if (/[{}]/.test(prefix)) throw new RangeError(`keyPrefix must not contain "{" or "}", got ${JSON.stringify(prefix)}`);
    this.active = `${prefix}campaigns:active`;
  }

  /** The keys of one campaign, in the order the scripts take them (see `campaign-commands.ts`). */
  of(id: string): CampaignKeySet {
    const base = `${this.prefix}${streamTag(CAMPAIGN_SCOPE, id)}`;
    return {
      meta: `${base}:meta`,
      pending: `${base}:pending`,
      sent: `${base}:sent`,
      delivered: `${base}:delivered`,
      early: `${base}:early`,
      bucket: `${base}:bucket`,
    };
  }
}

export interface CampaignKeySet {
  meta: string;
  pending: string;
  sent: string;
  delivered: string;
  early: string;
  bucket: string;
}

/** All six keys, in the order every campaign script declares them. */
export const scriptKeys = (keys: CampaignKeySet): string[] => [keys.meta, keys.pending, keys.sent, keys.delivered, keys.early, keys.bucket];
