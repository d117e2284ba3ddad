import { describe, expect, it } from '@jest/globals';
import { matchesWhere } from './where.matcher.js';

const data = { user: { id: 'car-7', region: 'eu', roles: ['beta', 'fleet'], model: { year: 2021 } }, firmware: '2.1.0' };

describe('matchesWhere', () => {
  it('matches a value at a dot path', () => {
    expect(matchesWhere(data, { 'user.region': 'eu' })).toBe(true);
    expect(matchesWhere(data, { 'user.region': 'us' })).toBe(false);
    expect(matchesWhere(data, { 'user.model.year': 2021 })).toBe(true);
  });

  it('accepts any value of a wanted list', () => {
    expect(matchesWhere(data, { 'user.region': ['us', 'eu'] })).toBe(true);
    expect(matchesWhere(data, { 'user.region': ['us', 'uk'] })).toBe(false);
  });

  it('matches an array field that contains an accepted value', () => {
    expect(matchesWhere(data, { 'user.roles': 'beta' })).toBe(true);
    expect(matchesWhere(data, { 'user.roles': ['admin', 'fleet'] })).toBe(true);
    expect(matchesWhere(data, { 'user.roles': 'admin' })).toBe(false);
  });

  it('requires every condition', () => {
    expect(matchesWhere(data, { 'user.region': 'eu', firmware: '2.1.0' })).toBe(true);
    expect(matchesWhere(data, { 'user.region': 'eu', firmware: '2.0.0' })).toBe(false);
  });

  it('compares strictly and structurally', () => {
    expect(matchesWhere(data, { 'user.model.year': '2021' })).toBe(false);
    expect(matchesWhere(data, { 'user.model': { year: 2021 } })).toBe(true);
  });

  it('never matches a missing path, or a path through a non-object', () => {
    expect(matchesWhere(data, { 'user.country': 'fr' })).toBe(false);
    expect(matchesWhere(data, { 'firmware.major': 2 })).toBe(false);
    expect(matchesWhere(undefined, { 'user.region': 'eu' })).toBe(false);
  });
});
