import type { CampaignState } from './campaign.types.js';

/*
 * How the delivery machinery paces itself. Fixed rather than module options: they trade latency against
 * Redis load, and the values below keep both low for campaigns of up to hundreds of thousands of recipients.
 */

/** Mean delay between two polls of the active campaigns by one node's worker (jittered ±50 %). */
export const WORKER_TICK_MS = 100;

/** Most recipients one worker claims per campaign per tick (a node's share of an unlimited campaign); their appends go out concurrently and pipeline. */
export const CLAIM_BATCH = 500;

/**
 * How long a claim stays exclusive. Only a node that dies mid-batch lets a lease run out; its recipients
 * are then claimed again, and the idempotency key keeps the second append from storing a second copy.
 */
export const CLAIM_LEASE_MS = 10_000;

/**
 * Burst of the cluster-wide token bucket, in seconds of `ratePerSecond` (at least one token): two ticks'
 * worth. Small, so the rate holds over any window of a fraction of a second; not smaller, so a node
 * polling alone with a jittered gap of up to 1.5 ticks finds the tokens of the whole gap and reaches the rate.
 */
export const BURST_SECONDS = 0.2;

/** Acks are gathered this long and recorded in one store call per campaign. */
export const ACK_FLUSH_MS = 50;

/** How often `progress$` polls the store. */
export const PROGRESS_POLL_MS = 250;

/** How long a finished campaign stays readable (`progress`), counted from its `expiresAt`. */
export const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 60 * 60 * 1_000;

/** Recipients written per store call when a campaign is created. */
export const CREATE_CHUNK = 1_000;

/** States a campaign never leaves. */
export const FINAL_STATES: ReadonlySet<CampaignState> = new Set(['cancelled', 'completed', 'expired']);

/** The bucket's capacity for a rate: the burst, but always room for one recipient. */
export const burstOf = (ratePerSecond: number): number => Math.max(1, ratePerSecond * BURST_SECONDS);
