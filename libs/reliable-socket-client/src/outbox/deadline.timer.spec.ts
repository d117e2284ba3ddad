import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DeadlineTimer, MAX_TIMER_MS } from './deadline.timer.js';

describe('DeadlineTimer', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  function harness(now?: () => number) {
    const expired: string[] = [];
    const timer = new DeadlineTimer<string>((key) => expired.push(key), now);
    return { expired, timer };
  }

  it('expires each key timeoutMs after it was added, with one timer per distinct timeout', async () => {
    const { expired, timer } = harness();
    timer.add('a', 100);
    await jest.advanceTimersByTimeAsync(30);
    timer.add('b', 100);
    timer.add('c', 50);
    expect(jest.getTimerCount()).toBe(2);
    await jest.advanceTimersByTimeAsync(49);
    expect(expired).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['c']);
    await jest.advanceTimersByTimeAsync(20);
    expect(expired).toEqual(['c', 'a']);
    await jest.advanceTimersByTimeAsync(29);
    expect(expired).toEqual(['c', 'a']);
    await jest.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['c', 'a', 'b']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never expires a deleted key, waits for the next one when the oldest is gone, and stops when none is left', async () => {
    const { expired, timer } = harness();
    timer.add('a', 100);
    await jest.advanceTimersByTimeAsync(40);
    timer.add('b', 100);
    timer.delete('a', 100);
    await jest.advanceTimersByTimeAsync(60); // a's deadline: nothing due, b waits 40 ms more
    expect(expired).toEqual([]);
    await jest.advanceTimersByTimeAsync(40);
    expect(expired).toEqual(['b']);
    timer.add('c', 100);
    timer.delete('c', 100);
    expect(jest.getTimerCount()).toBe(0); // no timer outlives its keys
    timer.delete('unknown', 100);
    timer.delete('unknown', undefined);
  });

  it('sets no deadline for undefined, NaN and timeouts beyond what setTimeout honours', () => {
    const { timer } = harness();
    for (const timeoutMs of [undefined, Number.NaN, Infinity, MAX_TIMER_MS + 1]) timer.add('k', timeoutMs);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('expires zero and negative timeouts at the next timer tick', async () => {
    const { expired, timer } = harness();
    timer.add('zero', 0);
    timer.add('negative', -5);
    await jest.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['zero', 'negative']);
  });

  it('waits for the rest when its timer fires before the clock reaches the deadline', async () => {
    let clock = 0;
    const { expired, timer } = harness(() => clock);
    timer.add('a', 100);
    clock = 99.5; // the timer is due, but this clock is not there yet
    await jest.advanceTimersByTimeAsync(100);
    expect(expired).toEqual([]);
    clock = 100;
    await jest.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['a']);
  });

  it('keeps a key added by onExpired itself, in the lane that is expiring', async () => {
    const expired: string[] = [];
    const timer: DeadlineTimer<string> = new DeadlineTimer<string>((key) => {
      expired.push(key);
      if (key === 'a') timer.add('again', 100);
    });
    timer.add('a', 100);
    await jest.advanceTimersByTimeAsync(100);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(expired).toEqual(['a', 'again']);
    expect(jest.getTimerCount()).toBe(0);
  });
});
