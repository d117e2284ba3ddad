/*
 * Limits both presence stores apply identically, so a bad value fails the same way (a RangeError before
 * anything is recorded) whichever store is configured. TTLs reuse the idempotency stores' check: whole,
 * positive milliseconds, which is also what Redis accepts for the expiry arithmetic in the scripts.
 */
export { assertDurationMs } from '../handlers/idempotency-limits.policy.js';

/** Largest `onlineUsers` page: each page is one Lua script, and a script blocks Redis while it runs. */
export const MAX_PAGE_LIMIT = 1_000;

/** Expired connections removed per sweep script; a sweep runs scripts until one removes fewer. */
export const SWEEP_BATCH = 500;

/** Connections renewed per heartbeat script, for the same reason as {@link MAX_PAGE_LIMIT}. */
export const HEARTBEAT_BATCH = 1_000;

/** `onlineUsers` page sizes: whole, from 1 to {@link MAX_PAGE_LIMIT}. */
export function assertPageLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${String(limit)}`);
  }
}
