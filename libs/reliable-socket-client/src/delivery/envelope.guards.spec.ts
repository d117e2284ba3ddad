import { describe, expect, it } from '@jest/globals';
import { isBatchEnvelope, isLiveEnvelope, isSyncedEnvelope } from './envelope.guards.js';

describe('envelope guards', () => {
  it('accept well-formed envelopes', () => {
    expect(isLiveEnvelope({ stream: 's', epoch: 'e', offset: 1, event: 'x', data: null, ts: 0 })).toBe(true);
    expect(isBatchEnvelope({ stream: 's', epoch: 'e', after: 0, messages: [{ offset: 1, event: 'x', data: 1, ts: 0 }] })).toBe(true);
    expect(isSyncedEnvelope({ streams: [{ stream: 's', epoch: 'e', head: 0 }] })).toBe(true);
  });

  it('reject what would corrupt a cursor', () => {
    expect(isLiveEnvelope(null)).toBe(false);
    expect(isLiveEnvelope({ stream: 's', epoch: 'e', offset: 0, event: 'x' })).toBe(false);
    expect(isLiveEnvelope({ stream: 's', offset: 1, event: 'x' })).toBe(false);
    expect(isBatchEnvelope({ stream: 's', epoch: 'e', after: -1, messages: [] })).toBe(false);
    expect(isBatchEnvelope({ stream: 's', epoch: 'e', after: 0, messages: [{ offset: 1.5, event: 'x' }] })).toBe(false);
    expect(isSyncedEnvelope({ streams: [{ stream: 's', head: 1 }] })).toBe(false);
    expect(isSyncedEnvelope({})).toBe(false);
  });
});
