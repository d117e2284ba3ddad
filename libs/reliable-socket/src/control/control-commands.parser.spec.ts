import { describe, expect, it } from '@jest/globals';
import { CONTROL_PARSERS } from './control-commands.parser.js';
import { ReliableControlError } from './reliable-control.error.js';

const requestId = '7d9c0a52-3f6b-4c1e-9a51-0f2d4b8e6c13';

/** The BAD_REQUEST message a parser throws for `payload`. */
function refusal(parse: (payload: unknown) => unknown, payload: unknown): string {
  try {
    parse(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ReliableControlError);
    expect((error as ReliableControlError).code).toBe('BAD_REQUEST');
    return (error as ReliableControlError).message;
  }
  throw new Error(`expected ${JSON.stringify(payload)} to be refused`);
}

describe('control command validation', () => {
  describe('every command', () => {
    it.each(Object.keys(CONTROL_PARSERS))('%s refuses a payload that is not an object', (command) => {
      const parse = CONTROL_PARSERS[command as keyof typeof CONTROL_PARSERS];
      expect(refusal(parse, null)).toBe(`${command}: the payload must be an object, got null`);
      expect(refusal(parse, ['x'])).toBe(`${command}: the payload must be an object, got an array`);
      expect(refusal(parse, 'broadcast')).toBe(`${command}: the payload must be an object, got "broadcast"`);
    });

    it.each(Object.keys(CONTROL_PARSERS))('%s refuses a missing or malformed requestId', (command) => {
      const parse = CONTROL_PARSERS[command as keyof typeof CONTROL_PARSERS];
      expect(refusal(parse, {})).toBe(`${command}: "requestId" is required (ReliableControlClient adds one to every command)`);
      expect(refusal(parse, { requestId: 'has spaces' })).toBe(`${command}: "requestId" must be 1-128 characters of A-Z a-z 0-9 _ . : -, got "has spaces"`);
      expect(refusal(parse, { requestId: 42 })).toMatch(/"requestId" must be/);
      expect(refusal(parse, { requestId: 'x'.repeat(129) })).toMatch(/"requestId" must be/);
    });
  });

  describe('broadcast', () => {
    const parse = CONTROL_PARSERS.broadcast;
    const valid = { requestId, namespace: '/chat', event: 'notice', data: { text: 'hi' } };

    it('defaults to reliable, namespace-wide, and keeps null data', () => {
      expect(parse(valid)).toEqual({ ...valid, reliable: true });
      expect(Object.keys(parse(valid))).not.toContain('users'); // absent stays absent, as it would over JSON
      expect(parse({ ...valid, data: null, users: ['a'], rooms: [], reliable: false })).toEqual({ ...valid, data: null, users: ['a'], rooms: [], reliable: false });
    });

    it('names the missing or mistyped field', () => {
      expect(refusal(parse, { requestId, event: 'e', data: 1 })).toBe('broadcast: "namespace" is required');
      expect(refusal(parse, { ...valid, event: '' })).toBe('broadcast: "event" must be a non-empty string of at most 1024 characters, got ""');
      expect(refusal(parse, { requestId, namespace: '/chat', event: 'e' })).toBe('broadcast: "data" is required (null is allowed)');
      expect(refusal(parse, { ...valid, users: 'alice' })).toBe('broadcast: "users" must be an array of at most 10000 non-empty strings, got "alice"');
      expect(refusal(parse, { ...valid, rooms: ['ok', 7] })).toBe('broadcast: "rooms" must be an array of at most 10000 non-empty strings, got an array');
      expect(refusal(parse, { ...valid, reliable: 'yes' })).toBe('broadcast: "reliable" must be a boolean, got "yes"');
    });

    it('refuses protocol and Socket.IO event names', () => {
      expect(refusal(parse, { ...valid, event: 'rs:control' })).toBe(`broadcast: "event" is reserved (rs:* and Socket.IO's own events cannot be sent), got "rs:control"`);
      expect(refusal(parse, { ...valid, event: 'disconnect' })).toMatch(/"event" is reserved/);
    });

    it('refuses unknown fields, so a misspelt "users" cannot widen it to the whole namespace', () => {
      expect(refusal(parse, { ...valid, user: ['alice'] })).toBe('broadcast: unknown field "user"');
      expect(refusal(parse, { ...valid, user: 'a', room: 'b' })).toBe('broadcast: unknown fields "user", "room"');
    });
  });

  describe('disconnect, removeFromRoom, clearRooms', () => {
    it('parses them, with the default kick reason', () => {
      expect(CONTROL_PARSERS.disconnect({ requestId, namespace: '/chat', userId: 'bob' })).toEqual({ requestId, namespace: '/chat', userId: 'bob', reason: 'KICKED' });
      expect(CONTROL_PARSERS.removeFromRoom({ requestId, namespace: '/chat', userId: 'bob', room: 'lobby' })).toEqual({ requestId, namespace: '/chat', userId: 'bob', room: 'lobby' });
      expect(CONTROL_PARSERS.clearRooms({ requestId, namespace: '/chat', rooms: ['a', 'b'] })).toEqual({ requestId, namespace: '/chat', rooms: ['a', 'b'] });
    });

    it('names what is wrong', () => {
      expect(refusal(CONTROL_PARSERS.disconnect, { requestId, namespace: '/chat' })).toBe('disconnect: "userId" is required');
      expect(refusal(CONTROL_PARSERS.disconnect, { requestId, namespace: '/chat', userId: 'bob', reason: 3 })).toBe('disconnect: "reason" must be a non-empty string of at most 1024 characters, got 3');
      expect(refusal(CONTROL_PARSERS.removeFromRoom, { requestId, namespace: '/chat', userId: 'bob' })).toBe('removeFromRoom: "room" is required');
      expect(refusal(CONTROL_PARSERS.clearRooms, { requestId, namespace: '/chat', rooms: 'lobby' })).toMatch(/^clearRooms: "rooms" must be an array/);
      expect(refusal(CONTROL_PARSERS.clearRooms, { requestId, namespace: '/chat', rooms: Array(10_001).fill('r') })).toMatch(/at most 10000/);
    });
  });

  describe('presence', () => {
    const parse = CONTROL_PARSERS.presence;

    it('parses each query with its own fields', () => {
      expect(parse({ requestId, namespace: '/chat', query: 'count' })).toEqual({ requestId, namespace: '/chat', query: 'count' });
      expect(parse({ requestId, namespace: '/chat', query: 'isOnline', userId: 'bob' })).toEqual({ requestId, namespace: '/chat', query: 'isOnline', userId: 'bob' });
      expect(parse({ requestId, namespace: '/chat', query: 'onlineUsers', cursor: 'bob', limit: 5 })).toMatchObject({ cursor: 'bob', limit: 5 });
      expect(parse({ requestId, namespace: '/chat', query: 'roomMembers', room: 'lobby' })).toMatchObject({ room: 'lobby' });
    });

    it('refuses unknown queries, missing fields and fields of another query', () => {
      expect(refusal(parse, { requestId, namespace: '/chat', query: 'who' })).toBe('presence: "query" must be one of count, isOnline, onlineUsers, roomMembers, got "who"');
      expect(refusal(parse, { requestId, namespace: '/chat' })).toBe('presence: "query" is required (one of count, isOnline, onlineUsers, roomMembers)');
      expect(refusal(parse, { requestId, namespace: '/chat', query: 'isOnline' })).toBe('presence: "userId" is required');
      expect(refusal(parse, { requestId, namespace: '/chat', query: 'isOnline', userId: 'bob', room: 'lobby' })).toBe('presence: unknown field "room"');
      expect(refusal(parse, { requestId, namespace: '/chat', query: 'onlineUsers', limit: 0 })).toBe('presence: "limit" must be an integer from 1 to 1000, got 0');
      expect(refusal(parse, { requestId, namespace: '/chat', query: 'onlineUsers', limit: 2.5 })).toMatch(/"limit" must be an integer/);
    });
  });

  describe('campaign.*', () => {
    const spec = { target: { users: ['alice'], where: { 'user.roles': 'vip' } }, event: 'promo', data: { code: 'X' }, expiresAt: 1_900_000_000_000 };

    it('parses start, preview and the id commands', () => {
      expect(CONTROL_PARSERS['campaign.start']({ requestId, ...spec, ratePerSecond: 50 })).toMatchObject({ ...spec, ratePerSecond: 50 });
      expect(CONTROL_PARSERS['campaign.preview']({ requestId, target: { rooms: ['vip'] }, namespace: '/chat' })).toMatchObject({ target: { rooms: ['vip'] }, namespace: '/chat' });
      for (const command of ['campaign.progress', 'campaign.pause', 'campaign.resume', 'campaign.cancel'] as const) {
        expect(CONTROL_PARSERS[command]({ requestId, id: 'c-1' })).toEqual({ requestId, id: 'c-1' });
        expect(refusal(CONTROL_PARSERS[command], { requestId })).toBe(`${command}: "id" is required`);
      }
    });

    it('names nested fields and checks numbers', () => {
      expect(refusal(CONTROL_PARSERS['campaign.start'], { requestId, ...spec, target: { users: [1] } })).toMatch(/^campaign.start: "target.users" must be an array/);
      expect(refusal(CONTROL_PARSERS['campaign.start'], { requestId, ...spec, target: { user: ['a'] } })).toBe('campaign.start: unknown field "target.user"');
      expect(refusal(CONTROL_PARSERS['campaign.start'], { requestId, ...spec, target: { where: 'vip' } })).toBe('campaign.start: "target.where" must be an object, got "vip"');
      expect(refusal(CONTROL_PARSERS['campaign.start'], { requestId, ...spec, expiresAt: undefined })).toBe('campaign.start: "expiresAt" is required');
      expect(refusal(CONTROL_PARSERS['campaign.start'], { requestId, ...spec, ratePerSecond: -1 })).toBe('campaign.start: "ratePerSecond" must be a positive number, got -1');
      expect(refusal(CONTROL_PARSERS['campaign.preview'], { requestId })).toBe('campaign.preview: "target" is required');
    });
  });
});
