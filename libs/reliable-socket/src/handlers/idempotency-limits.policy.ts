/*
 * Argument checks both idempotency stores apply identically. Redis rejects a `PX` of 0 or a fraction
 * only once the script runs, and NaN would be compared as a string in Lua; failing early in both stores
 * gives the same RangeError whichever store is configured.
 */

/** Lease and TTL durations: whole, positive milliseconds. */
export function assertDurationMs(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer of milliseconds, got ${String(value)}`);
  }
}

/** Sequence numbers come from clients: 0, 1, 2 … */
export function assertSequence(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`seq must be a non-negative integer, got ${String(value)}`);
  }
}

/** The duration given for the empty part of a turn (`completeThenClaim` with no claims, say): valid, never used. */
export const UNUSED_DURATION_MS = 1;
