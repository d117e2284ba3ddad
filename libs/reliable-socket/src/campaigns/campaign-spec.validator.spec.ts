import { describe, expect, it } from '@jest/globals';
import { InvalidCampaignError } from './campaign.errors.js';
import { validateSpec, validateTarget } from './campaign-spec.validator.js';

const NOW = 1_700_000_000_000;
const limits = { now: NOW, maxLifetimeMs: 86_400_000 };
const valid = { target: { users: ['car-1'] }, event: 'update', data: { version: '2.1.3' }, expiresAt: NOW + 60_000 };

/** The InvalidCampaignError `validateSpec` throws for `spec`, to check its field and message. */
function refusal(spec: unknown): InvalidCampaignError {
  try {
    validateSpec(spec, limits);
  } catch (error) {
    if (error instanceof InvalidCampaignError) return error;
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

describe('validateSpec', () => {
  it('accepts a complete spec, with or without a rate and a namespace', () => {
    expect(() => validateSpec(valid, limits)).not.toThrow();
    expect(() => validateSpec({ ...valid, ratePerSecond: 0.5, namespace: '/fleet', data: null }, limits)).not.toThrow();
    expect(() => validateSpec({ ...valid, target: { rooms: ['eu'], where: { 'user.region': ['eu', 'uk'] } } }, limits)).not.toThrow();
  });

  it.each([
    ['no spec', undefined, 'spec', /object/],
    ['no target', { ...valid, target: undefined }, 'target', /required/],
    ['an empty target', { ...valid, target: {} }, 'target', /users, rooms or a where/],
    ['an empty user list', { ...valid, target: { users: [] } }, 'target.users', /non-empty array/],
    ['a blank user', { ...valid, target: { users: ['a', ''] } }, 'target.users', /non-empty string/],
    ['a non-string room', { ...valid, target: { rooms: [7] } }, 'target.rooms', /got 7/],
    ['an empty where', { ...valid, target: { where: {} } }, 'target.where', /at least one condition/],
    ['a where that is a list', { ...valid, target: { where: ['region'] } }, 'target.where', /object/],
    ['a bad where path', { ...valid, target: { where: { 'user..region': 'eu' } } }, 'target.where', /bad path/],
    ['an empty list of accepted values', { ...valid, target: { where: { region: [] } } }, 'target.where', /needs a value/],
    ['no event', { ...valid, event: '' }, 'event', /non-empty string/],
    ['a protocol event', { ...valid, event: 'rs:msg' }, 'event', /reserved/],
    ['data JSON cannot carry', { ...valid, data: 10n }, 'data', /JSON-serialisable/],
    ['undefined data', { ...valid, data: undefined }, 'data', /use null/],
    ['no expiresAt', { ...valid, expiresAt: undefined }, 'expiresAt', /time in ms/],
    ['an expiresAt in the past', { ...valid, expiresAt: NOW - 1 }, 'expiresAt', /in the future/],
    ['an expiresAt of now', { ...valid, expiresAt: NOW }, 'expiresAt', /in the future/],
    ['an expiresAt past the dedupe window', { ...valid, expiresAt: NOW + 86_400_001 }, 'expiresAt', /within 86400000 ms/],
    ['a zero rate', { ...valid, ratePerSecond: 0 }, 'ratePerSecond', /positive number/],
    ['a negative rate', { ...valid, ratePerSecond: -5 }, 'ratePerSecond', /positive number/],
    ['an infinite rate', { ...valid, ratePerSecond: Infinity }, 'ratePerSecond', /positive number/],
    ['a string rate', { ...valid, ratePerSecond: '50' }, 'ratePerSecond', /positive number/],
    ['a blank namespace', { ...valid, namespace: '' }, 'namespace', /non-empty string/],
  ])('refuses %s, naming the field', (_label, spec, field, message) => {
    const error = refusal(spec);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`campaign ${field}: `)).toBe(true);
  });
});

describe('validateTarget', () => {
  it('accepts users, rooms and where alone or together', () => {
    expect(() => validateTarget({ users: ['a'] })).not.toThrow();
    expect(() => validateTarget({ rooms: ['fleet'] })).not.toThrow();
    expect(() => validateTarget({ where: { 'user.region': 'eu' } })).not.toThrow();
  });

  it('refuses a target that names nobody', () => {
    expect(() => validateTarget(null)).toThrow(InvalidCampaignError);
    expect(() => validateTarget({ users: undefined })).toThrow(/users, rooms or a where/);
  });
});
