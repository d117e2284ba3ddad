import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Backoff } from './backoff.js';
import { RetryScheduler } from './retry.scheduler.js';

describe('Backoff', () => {
  it('doubles the ceiling per attempt up to maxMs', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1000 }, () => 0.999999);
    const delays = Array.from({ length: 7 }, () => backoff.next());
    expect(delays).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('draws uniformly from zero (full jitter)', () => {
    const zero = new Backoff({ baseMs: 100, maxMs: 1000 }, () => 0);
    expect([zero.next(), zero.next(), zero.next()]).toEqual([0, 0, 0]);
    const half = new Backoff({ baseMs: 100, maxMs: 1000 }, () => 0.5);
    expect([half.next(), half.next(), half.next()]).toEqual([50, 100, 200]);
  });

  it('stays within [0, min(maxMs, baseMs * 2^n)) with the real random source', () => {
    const backoff = new Backoff({ baseMs: 250, maxMs: 10_000 });
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      const ceiling = Math.min(10_000, 250 * 2 ** attempt);
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    }
    expect(backoff.attempt).toBe(2000);
  });

  it('uses 250 / 10000 by default', () => {
    const backoff = new Backoff({}, () => 0.999999);
    expect(backoff.ceiling()).toBe(250);
    for (let i = 0; i < 10; i += 1) backoff.next();
    expect(backoff.ceiling()).toBe(10_000);
  });

  it('starts over after reset()', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1000 }, () => 0.5);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(50);
  });
});

describe('RetryScheduler', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs the action after the backoff delay, one pending retry at a time', () => {
    let runs = 0;
    const scheduler = new RetryScheduler({ baseMs: 100, maxMs: 1000 }, () => void (runs += 1), () => 0.5);
    scheduler.schedule();
    scheduler.schedule();
    expect(scheduler.pending).toBe(true);
    jest.advanceTimersByTime(49);
    expect(runs).toBe(0);
    jest.advanceTimersByTime(1);
    expect(runs).toBe(1);
    expect(scheduler.pending).toBe(false);
    scheduler.schedule(); // second attempt: 0.5 * 200
    jest.advanceTimersByTime(100);
    expect(runs).toBe(2);
  });

  it('cancel() drops the pending retry and reset() restarts the ladder', () => {
    let runs = 0;
    const scheduler = new RetryScheduler({ baseMs: 100, maxMs: 1000 }, () => void (runs += 1), () => 0.5);
    scheduler.schedule();
    scheduler.cancel();
    jest.advanceTimersByTime(1000);
    expect(runs).toBe(0);
    scheduler.reset();
    scheduler.schedule();
    jest.advanceTimersByTime(50);
    expect(runs).toBe(1);
  });
});
