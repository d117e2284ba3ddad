import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { RetryScheduler } from './retry.scheduler.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('RetryScheduler', () => {
  it('keeps at most one retry pending, spaced by the backoff', () => {
    let runs = 0;
    const scheduler = new RetryScheduler({ baseMs: 100, maxMs: 1000 }, () => void (runs += 1), () => 0.999);
    scheduler.schedule();
    scheduler.schedule();
    expect(scheduler.pending).toBe(true);
    jest.advanceTimersByTime(99);
    expect(runs).toBe(1);
    expect(scheduler.pending).toBe(false);
    scheduler.schedule(); // second attempt: ceiling 200
    jest.advanceTimersByTime(150);
    expect(runs).toBe(1);
    jest.advanceTimersByTime(50);
    expect(runs).toBe(2);
  });

  it('scheduleIn replaces the pending retry with an exact delay and leaves the backoff alone', () => {
    let runs = 0;
    const scheduler = new RetryScheduler({ baseMs: 100, maxMs: 1000 }, () => void (runs += 1), () => 0.999);
    scheduler.schedule();
    scheduler.scheduleIn(500);
    jest.advanceTimersByTime(499);
    expect(runs).toBe(0);
    jest.advanceTimersByTime(1);
    expect(runs).toBe(1);
    // The replaced retry had consumed attempt 0; scheduleIn consumed none: attempt 1 has ceiling 200.
    scheduler.schedule();
    jest.advanceTimersByTime(199);
    expect(runs).toBe(2);
  });

  it('cancel drops a pending scheduleIn', () => {
    let runs = 0;
    const scheduler = new RetryScheduler({}, () => void (runs += 1));
    scheduler.scheduleIn(10);
    scheduler.cancel();
    jest.advanceTimersByTime(100);
    expect(runs).toBe(0);
    expect(scheduler.pending).toBe(false);
  });
});
