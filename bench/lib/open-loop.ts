import { now, sleep, withDeadline } from './timing.js';

export interface OpenLoopOptions {
  count: number;
  ratePerSec: number;
  /** Tasks under way at once beyond which the loop stops starting new ones (and counts as fallen behind). */
  maxPending: number;
  /** The whole loop, waiting for the last task included, is abandoned past this. */
  timeoutMs: number;
}

export interface OpenLoopResult {
  started: number;
  completed: number;
  failed: number;
  firstError?: string;
  /** Most tasks under way at once. */
  maxPending: number;
  /** Largest delay between a task's scheduled time and its actual start (ms): how far the sender fell behind. */
  maxLagMs: number;
  /** The loop waited at least once because `maxPending` tasks were under way. */
  stalled: boolean;
  /** The loop or its last tasks ran out of `timeoutMs`. */
  timedOut: boolean;
  /** From the first scheduled start until the last task settled. */
  ms: number;
}

/**
 * An open-loop load generator: task `k` is due at `start + k / ratePerSec`, whether or not earlier tasks
 * have finished, so a slow system meets a queue instead of a politely slowing sender (the mistake of a
 * closed loop, which hides latency). `task` gets its scheduled time (`now()` clock) so latencies can be
 * measured from it. Bounded three ways: `count` tasks, `maxPending` at once, `timeoutMs` in all.
 */
export async function runOpenLoop(options: OpenLoopOptions, task: (index: number, scheduledAt: number) => Promise<void>): Promise<OpenLoopResult> {
  const { count, ratePerSec, maxPending, timeoutMs } = options;
  const result: OpenLoopResult = { started: 0, completed: 0, failed: 0, maxPending: 0, maxLagMs: 0, stalled: false, timedOut: false, ms: 0 };
  const intervalMs = 1000 / ratePerSec;
  const startedAt = now();
  let pending = 0;
  let drained: (() => void) | undefined;
  const settle = (error?: unknown): void => {
    pending -= 1;
    if (error === undefined) result.completed += 1;
    else {
      result.failed += 1;
      result.firstError ??= error instanceof Error ? error.message : String(error);
    }
    if (pending === 0) drained?.();
  };
  while (result.started < count) {
    if (now() - startedAt > timeoutMs) {
      result.timedOut = true;
      break;
    }
    const due = Math.min(count, Math.floor((now() - startedAt) / intervalMs) + 1);
    while (result.started < due && pending < maxPending) {
      const index = result.started;
      const scheduledAt = startedAt + index * intervalMs;
      result.maxLagMs = Math.max(result.maxLagMs, now() - scheduledAt);
      result.started += 1;
      pending += 1;
      result.maxPending = Math.max(result.maxPending, pending);
      task(index, scheduledAt).then(() => settle(), settle);
    }
    if (result.started < due) result.stalled = true;
    // Timers fire no more often than every millisecond or so: the next pass starts whatever fell due meanwhile.
    await sleep(1);
  }
  if (pending > 0) {
    const remaining = Math.max(1, timeoutMs - (now() - startedAt));
    await withDeadline(new Promise<void>((resolve) => (drained = resolve)), remaining, 'open-loop tasks').catch(() => {
      result.timedOut = true;
    });
  }
  result.ms = now() - startedAt;
  return result;
}
