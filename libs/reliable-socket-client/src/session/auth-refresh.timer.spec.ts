import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AuthRefreshTimer, refreshDelayMs } from './auth-refresh.timer.js';

describe('refreshDelayMs', () => {
  it('refreshes leadMs before expiry, with a lead between 10% and 50% of the remaining lifetime', () => {
    expect(refreshDelayMs(120_000, 30_000)).toBe(90_000);
    expect(refreshDelayMs(3_600_000, 30_000)).toBe(3_240_000); // 10% of an hour > 30 s
    expect(refreshDelayMs(40_000, 30_000)).toBe(20_000); // capped at half
    expect(refreshDelayMs(1000, 30_000)).toBe(500);
    expect(refreshDelayMs(1000, 0)).toBe(900);
  });

  it('plans nothing for a credential already expired by this clock', () => {
    expect(refreshDelayMs(0, 30_000)).toBeUndefined();
    expect(refreshDelayMs(-5, 30_000)).toBeUndefined();
    expect(refreshDelayMs(Number.NaN, 30_000)).toBeUndefined();
  });
});

describe('AuthRefreshTimer', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('refreshes once, at the planned time', () => {
    let refreshes = 0;
    const timer = new AuthRefreshTimer(30_000, () => void (refreshes += 1));
    timer.schedule(Date.now() + 120_000);
    jest.advanceTimersByTime(89_999);
    expect(refreshes).toBe(0);
    jest.advanceTimersByTime(1);
    expect(refreshes).toBe(1);
    expect(timer.pending).toBe(false);
  });

  it('does not plan again for the expiry already planned or refreshed for, until cancelled', () => {
    let refreshes = 0;
    const timer = new AuthRefreshTimer(30_000, () => void (refreshes += 1));
    const expiresAt = Date.now() + 120_000;
    timer.schedule(expiresAt);
    jest.advanceTimersByTime(60_000);
    timer.schedule(expiresAt); // a refresh that did not extend: keep the plan, do not move it
    jest.advanceTimersByTime(30_000);
    expect(refreshes).toBe(1);
    timer.schedule(expiresAt); // refreshed already for this expiry: no loop towards it
    jest.advanceTimersByTime(30_000);
    expect(refreshes).toBe(1);
    timer.cancel();
    timer.schedule(Date.now() + 10_000);
    jest.advanceTimersByTime(5000);
    expect(refreshes).toBe(2);
  });

  it('replaces the plan for a new expiry and cancel drops it', () => {
    let refreshes = 0;
    const timer = new AuthRefreshTimer(1000, () => void (refreshes += 1));
    timer.schedule(Date.now() + 10_000);
    timer.schedule(Date.now() + 100_000);
    jest.advanceTimersByTime(20_000);
    expect(refreshes).toBe(0);
    timer.cancel();
    jest.advanceTimersByTime(200_000);
    expect(refreshes).toBe(0);
  });

  it('waits beyond the longest setTimeout without firing early', () => {
    let refreshes = 0;
    const timer = new AuthRefreshTimer(30_000, () => void (refreshes += 1));
    const thirtyDays = 30 * 24 * 3600_000;
    timer.schedule(Date.now() + thirtyDays);
    jest.advanceTimersByTime(2 ** 31);
    expect(refreshes).toBe(0);
    expect(timer.pending).toBe(true);
    jest.advanceTimersByTime(thirtyDays * 0.9 - 2 ** 31);
    expect(refreshes).toBe(1);
  });
});
