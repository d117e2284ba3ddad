import { describe, expect, it } from '@jest/globals';
import { PresenceFences } from './presence.fences.js';

describe('PresenceFences', () => {
  it('drops an event whose fence is lower than the last seen for that user in that room', () => {
    const fences = new PresenceFences();
    expect(fences.accept('lobby', 'alice', 5)).toBe(true);
    expect(fences.accept('lobby', 'alice', 4)).toBe(false);
    expect(fences.accept('lobby', 'alice', 5)).toBe(true); // not lower: a join and its leave share a fence
    expect(fences.accept('lobby', 'alice', 7)).toBe(true);
    expect(fences.accept('lobby', 'alice', 6)).toBe(false);
    // Other users and other rooms have their own fences.
    expect(fences.accept('lobby', 'bob', 1)).toBe(true);
    expect(fences.accept('kitchen', 'alice', 2)).toBe(true);
  });

  it('forgets a room', () => {
    const fences = new PresenceFences();
    fences.accept('lobby', 'alice', 9);
    fences.forget('lobby');
    expect(fences.accept('lobby', 'alice', 1)).toBe(true);
  });
});
