import { describe, expect, it } from '@jest/globals';
import { isPresenceEnvelope, parseMembers } from '../presence/presence.guards.js';
import { isControlEnvelope, isSessionEnvelope, parseReauthReply } from './session.guards.js';

describe('session and presence guards', () => {
  it('accepts control envelopes, of unknown types too, and refuses malformed ones', () => {
    expect(isControlEnvelope({ type: 'drain', reason: 'SHUTDOWN', reconnectInMs: 100 })).toBe(true);
    expect(isControlEnvelope({ type: 'from_the_future', reason: 'X' })).toBe(true);
    expect(isControlEnvelope({ type: 'replaced' })).toBe(false);
    expect(isControlEnvelope({ type: 'drain', reason: 'X', reconnectInMs: '100' })).toBe(false);
    expect(isControlEnvelope(null)).toBe(false);
  });

  it('accepts session envelopes with or without a finite expiry', () => {
    expect(isSessionEnvelope({ userId: 'u1' })).toBe(true);
    expect(isSessionEnvelope({ userId: 'u1', expiresAt: 5 })).toBe(true);
    expect(isSessionEnvelope({ userId: 'u1', expiresAt: null })).toBe(true);
    expect(isSessionEnvelope({ userId: 1 })).toBe(false);
    expect(isSessionEnvelope({ userId: 'u1', expiresAt: Infinity })).toBe(false);
    expect(isSessionEnvelope('u1')).toBe(false);
  });

  it('parses rs:auth replies', () => {
    expect(parseReauthReply({ ok: true })).toEqual({});
    expect(parseReauthReply({ ok: true, expiresAt: 9 })).toEqual({ expiresAt: 9 });
    expect(parseReauthReply({ ok: true, expiresAt: 'soon' })).toBeUndefined();
  });

  it('checks presence envelopes and member lists', () => {
    expect(isPresenceEnvelope({ room: 'r', userId: 'u', type: 'join', fence: 1 })).toBe(true);
    expect(isPresenceEnvelope({ room: 'r', userId: 'u', type: 'away', fence: 1 })).toBe(false);
    expect(isPresenceEnvelope({ room: 'r', userId: 'u', type: 'leave' })).toBe(false);
    expect(parseMembers({ ok: true, members: [{ userId: 'u', online: true, extra: 1 }] })).toEqual([{ userId: 'u', online: true }]);
    expect(parseMembers({ ok: true, members: [{ userId: 'u' }] })).toBeUndefined();
    expect(parseMembers({ ok: true })).toBeUndefined();
  });
});
