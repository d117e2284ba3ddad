/** Promise-based delay. Prefer {@link waitFor} when waiting for a condition. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many ms (default 5000). */
  timeoutMs?: number;
  /** Delay between two evaluations of the predicate (default 25). */
  intervalMs?: number;
  /** What is being waited for; becomes the start of the timeout error message. */
  message?: string | (() => string);
}

/** Thrown by {@link waitFor} when the predicate never held within the time limit. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/**
 * Polls `predicate` until it returns (or resolves to) `true`, at most every `intervalMs`, for at most
 * `timeoutMs`. A predicate that throws counts as "not yet"; its last error is quoted in the timeout
 * error, together with `message` and the number of attempts, so a failing test says what it waited for.
 *
 * The predicate is always evaluated at least once, and once more right at the deadline, so a condition
 * that becomes true during the last interval is not missed.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = Math.max(1, options.intervalMs ?? 25);
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let lastError: unknown;
  // Bounded: every iteration sleeps >= 1ms and the loop ends at the deadline.
  for (;;) {
    attempts += 1;
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await sleep(Math.min(intervalMs, remaining));
  }
  const what = typeof options.message === 'function' ? options.message() : options.message;
  const cause = lastError === undefined ? '' : `; last error: ${describeError(lastError)}`;
  throw new WaitTimeoutError(
    `${what ?? 'condition'} not met within ${timeoutMs}ms (${attempts} attempts)${cause}`,
    lastError === undefined ? undefined : { cause: lastError },
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Retries an assertion until it passes or `timeoutMs` elapses, then throws its last failure: for effects
 * that travel asynchronously (pub/sub notifications), where the assertion's own message is the best report.
 */
export async function eventually(assertion: () => void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}
