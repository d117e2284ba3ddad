import { describe, expect, it } from '@jest/globals';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('starts with a fifth of a second of tokens, at least one', () => {
    expect(new TokenBucket(50, 0).available(0, 100)).toBe(10);
    expect(new TokenBucket(0.5, 0).available(0, 100)).toBe(1);
  });

  it('accrues ratePerSecond tokens per second, capped at the burst', () => {
    const bucket = new TokenBucket(50, 0);
    bucket.take(bucket.available(0, 100));
    expect(bucket.available(40, 100)).toBe(2);
    expect(bucket.available(60, 100)).toBe(3);
    expect(bucket.available(10_000, 100)).toBe(10);
  });

  it('grants no more than wanted and charges only what is taken', () => {
    const bucket = new TokenBucket(100, 0);
    expect(bucket.available(0, 3)).toBe(3);
    bucket.take(3);
    expect(bucket.available(0, 100)).toBe(17);
  });

  it('sends exactly ratePerSecond per second over a long run', () => {
    const bucket = new TokenBucket(50, 0);
    let sent = 0;
    for (let now = 0; now < 10_000; now += 100) {
      const granted = bucket.available(now, 1_000);
      bucket.take(granted);
      sent += granted;
    }
    expect(sent).toBe(10 + 50 * 9.9); // the first burst, then 5 per 100 ms tick up to 9,900 ms
  });

  it('handles fractional rates and a clock that steps back', () => {
    const bucket = new TokenBucket(0.5, 1_000);
    bucket.take(bucket.available(1_000, 10));
    expect(bucket.available(2_999, 10)).toBe(0);
    expect(bucket.available(3_000, 10)).toBe(1);
    bucket.take(1);
    expect(bucket.available(500, 10)).toBe(0); // stepped back: nothing gained, nothing lost
    expect(bucket.available(5_000, 10)).toBe(1);
  });
});
