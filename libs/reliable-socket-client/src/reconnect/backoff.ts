/** Bounds of an exponential backoff, in milliseconds. */
export interface BackoffOptions {
  /** Ceiling of the first delay. Default 250. */
  baseMs?: number;
  /** No delay ever exceeds this. Default 10000. */
  maxMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 250, maxMs: 10_000 } as const;

/**
 * Exponential backoff with full jitter: attempt `n` waits a uniformly random time in
 * `[0, min(maxMs, baseMs * 2^n))`. Full jitter (rather than a fixed ladder) spreads a crowd of clients
 * that lost the same server, so they do not all come back in the same millisecond.
 *
 * @example
 * const backoff = new Backoff({ baseMs: 250, maxMs: 10_000 });
 * setTimeout(retry, backoff.next()); // 0-250 ms, then 0-500 ms, 0-1000 ms, ...
 * backoff.reset();                   // after a success
 */
export class Backoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.baseMs = Math.max(0, options.baseMs ?? DEFAULT_BACKOFF.baseMs);
    this.maxMs = Math.max(0, options.maxMs ?? DEFAULT_BACKOFF.maxMs);
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The ceiling the next delay is drawn under. */
  ceiling(): number {
    // 2 ** attempt overflows to Infinity after ~1000 attempts, which Math.min absorbs.
    return Math.min(this.maxMs, this.baseMs * 2 ** this.attempts);
  }

  /** Draws the delay of the current attempt and moves to the next one. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceiling());
    this.attempts += 1;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }
}
