/** Longest delay `setTimeout` honours: it fires at once for longer ones (Infinity included). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A monotonic clock where there is one, so that a change of the system time moves no deadline. */
const monotonicNow = (): number => globalThis.performance?.now() ?? Date.now();

/** The keys that share one timeout, in the order added, which is deadline order; and their timer. */
interface Lane<K> {
  timeoutMs: number;
  deadlines: Map<K, number>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Calls `onExpired(key)` once `timeoutMs` has passed since `add(key, timeoutMs)`, unless the key was
 * deleted first: the per-send timeout, with one timer per distinct `timeoutMs` instead of one per
 * `send()`. Keys added with the same timeout expire in the order added, so each such lane needs a
 * timer for its oldest key only. Deleting that key leaves the timer be: when it fires, it finds the
 * next key not due yet and waits for it. A lane left empty stops its timer, so none outlives its keys.
 *
 * @example
 * const deadlines = new DeadlineTimer<string>((id) => rejectWithTimeout(id));
 * deadlines.add(id, 5000);
 * deadlines.delete(id, 5000); // acked in time: the timeout it was added with
 */
export class DeadlineTimer<K> {
  private readonly lanes = new Map<number, Lane<K>>();

  constructor(
    private readonly onExpired: (key: K) => void,
    private readonly now: () => number = monotonicNow,
  ) {}

  /** Starts the deadline of `key`. No deadline for `timeoutMs` undefined, NaN or beyond {@link MAX_TIMER_MS}. */
  add(key: K, timeoutMs: number | undefined): void {
    if (timeoutMs === undefined || !(timeoutMs <= MAX_TIMER_MS)) return;
    let lane = this.lanes.get(timeoutMs);
    if (!lane) {
      lane = { timeoutMs, deadlines: new Map(), timer: undefined };
      this.lanes.set(timeoutMs, lane);
    }
    lane.deadlines.set(key, this.now() + timeoutMs);
    if (lane.timer === undefined) this.arm(lane, timeoutMs);
  }

  /** Drops the deadline of `key`, added with `timeoutMs` (its outcome came first); ignored if it has none. */
  delete(key: K, timeoutMs: number | undefined): void {
    const lane = timeoutMs === undefined ? undefined : this.lanes.get(timeoutMs);
    if (lane?.deadlines.delete(key) && lane.deadlines.size === 0) this.drop(lane);
  }

  private arm(lane: Lane<K>, delayMs: number): void {
    clearTimeout(lane.timer);
    lane.timer = setTimeout(() => this.expire(lane), delayMs);
  }

  /** Expires the lane's keys that are due, oldest first, and waits for the next one. */
  private expire(lane: Lane<K>): void {
    lane.timer = undefined;
    const now = this.now();
    for (const [key, deadline] of lane.deadlines) {
      // A timer may fire a little before the clock reaches the deadline: wait for the rest.
      if (deadline > now) return this.arm(lane, Math.ceil(deadline - now));
      lane.deadlines.delete(key);
      this.onExpired(key);
    }
    this.drop(lane);
  }

  /** Forgets an empty lane; `onExpired` may already have replaced it with a new one of the same timeout. */
  private drop(lane: Lane<K>): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    if (this.lanes.get(lane.timeoutMs) === lane) this.lanes.delete(lane.timeoutMs);
  }
}
