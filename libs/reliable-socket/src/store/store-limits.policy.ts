import type { RetentionPolicy } from './stream.store.js';

/* Limits both stores enforce identically: retention math, TTLs, and the ranges of caller-supplied numbers. */

/**
 * How long a stream's epoch and head outlive its last append or ack. Far longer than any message:
 * while the meta survives, a returning client is told "trimmed" (offsets kept) instead of "new epoch".
 */
export const META_TTL_MS = 30 * 24 * 3_600_000;

/** The meta TTL for a policy: never shorter than the messages it describes. */
export function metaTtlMs(retention: RetentionPolicy): number {
  return Math.max(META_TTL_MS, retention.maxAgeMs);
}

/** Messages stamped before this instant are older than `maxAgeMs` and count as gone. */
export function expiryCutoff(now: number, retention: RetentionPolicy): number {
  return now - retention.maxAgeMs;
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

/** Validates store options once, at construction, so a bad value fails at startup rather than in Lua. */
export function assertStoreLimits(retention: RetentionPolicy, idempotencyTtlMs: number): void {
  requirePositiveInteger('retention.maxLength', retention.maxLength);
  requirePositiveInteger('retention.maxAgeMs', retention.maxAgeMs);
  requirePositiveInteger('idempotencyTtlMs', idempotencyTtlMs);
}

/** Offsets handed to `read`/`ack` come from clients; a fraction or NaN would corrupt Redis ids and counters. */
export function assertOffset(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}
