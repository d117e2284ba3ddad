import { burstOf } from './campaign.tuning.js';

/**
 * A token bucket: `ratePerSecond` tokens accrue per second up to the burst, and each recipient sent takes
 * one. The in-memory twin of the Lua bucket in `redis/claim.lua.ts` (same arithmetic), for
 * `MemoryCampaignStore`: one process is the whole cluster there.
 *
 * @example
 * const bucket = new TokenBucket(50, Date.now());
 * const n = bucket.available(Date.now(), 100); // how many of 100 may go now
 * bucket.take(n);
 */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;

  constructor(
    private readonly ratePerSecond: number,
    private updatedAt: number,
  ) {
    this.capacity = burstOf(ratePerSecond);
    this.tokens = this.capacity;
  }

  /** Whole tokens available at `now`, at most `wanted`; refills first. */
  available(now: number, wanted: number): number {
    this.refill(now);
    return Math.min(wanted, Math.floor(this.tokens));
  }

  /** Spends tokens counted by {@link available}. */
  take(count: number): void {
    this.tokens -= count;
  }

  private refill(now: number): void {
    // A clock that steps back must not drain the bucket.
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1_000);
    this.updatedAt = Math.max(now, this.updatedAt);
  }
}
