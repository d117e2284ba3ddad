/** setTimeout fires at once beyond this; longer waits are made of several timers. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long to wait before refreshing a credential that expires in `remainingMs`: until `leadMs` before
 * expiry, with a lead of at least 10% of the remaining lifetime (clocks drift, a refresh takes a round
 * trip), and at most half of it: with a token shorter-lived than the lead, refreshing at once would
 * repeat after every refresh in a tight loop. Undefined when already expired by this clock (a skewed
 * clock must not cause a refresh storm either): the server then ends the session and the reconnect
 * re-authenticates.
 *
 * @example
 * refreshDelayMs(3_600_000, 30_000); // 3_240_000: 10% of an hour is more than 30 s
 * refreshDelayMs(120_000, 30_000);   // 90_000
 * refreshDelayMs(20_000, 30_000);    // 10_000: half the lifetime
 */
export function refreshDelayMs(remainingMs: number, leadMs: number): number | undefined {
  if (!(remainingMs > 0)) return undefined;
  const lead = Math.min(Math.max(leadMs, remainingMs / 10), remainingMs / 2);
  return Math.floor(remainingMs - lead);
}

/**
 * Calls `refresh` shortly before a credential's expiry (see {@link refreshDelayMs}). Scheduling the
 * expiry already scheduled, or already refreshed for, does nothing: a refresh that did not extend the
 * credential would otherwise be repeated ever closer to its expiry.
 *
 * @example
 * const timer = new AuthRefreshTimer(30_000, () => void client.refreshAuth());
 * timer.schedule(session.expiresAt);
 * socket.on('disconnect', () => timer.cancel());
 */
export class AuthRefreshTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The expiry scheduled or last refreshed for. */
  private target: number | undefined;

  constructor(
    private readonly leadMs: number,
    private readonly refresh: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Plans the refresh of a credential expiring at `expiresAt` (ms since the epoch), replacing any other plan. */
  schedule(expiresAt: number): void {
    if (expiresAt === this.target) return;
    this.cancel();
    this.target = expiresAt;
    const delay = refreshDelayMs(expiresAt - this.now(), this.leadMs);
    if (delay !== undefined) this.arm(this.now() + delay);
  }

  /** Drops the plan and forgets the expiry: the next `schedule()` plans afresh, even for the same one. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.target = undefined;
  }

  private arm(at: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.now() < at) this.arm(at);
      else this.refresh();
    }, Math.min(Math.max(0, at - this.now()), MAX_TIMER_MS));
  }
}
