import { Backoff, type BackoffOptions } from './backoff.js';

/**
 * At most one pending retry of an action, spaced by a {@link Backoff}: reconnects (socket.io's own
 * reconnection is off so the SDK controls the timing) and failed range fetches.
 */
export class RetryScheduler {
  private readonly backoff: Backoff;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: BackoffOptions, private readonly action: () => void, random?: () => number) {
    this.backoff = new Backoff(options, random);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Schedules the action after the next backoff delay, unless one is already scheduled. */
  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.action();
    }, this.backoff.next());
  }

  /**
   * Schedules the action after exactly `delayMs`, replacing any pending retry, without moving the
   * backoff: for waits the server asked for (a draining node), which are not failures.
   */
  scheduleIn(delayMs: number): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.action();
    }, delayMs);
  }

  /** Drops the pending retry, if any. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Called on success: the next failure starts again from the smallest delay. */
  reset(): void {
    this.backoff.reset();
  }
}
