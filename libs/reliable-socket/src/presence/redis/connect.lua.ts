import { PRESENCE_RECORD_LUA } from './presence-record.lua.js';

/**
 * Records a connection with the next fence; the user joins when it had no live connection before.
 *
 * KEYS: conns, users, names, state, seq.
 * ARGV: channel, namespace, userId, connectionId, ttlMs.
 * Returns `{fence, joined (0 | 1)}`.
 */
export const CONNECT_LUA = `${PRESENCE_RECORD_LUA}
local userId, connectionId, ttlMs = ARGV[3], ARGV[4], tonumber(ARGV[5])
local now = nowMs()
local user = settleUser(userId, now)
local joined = user == nil
user = user or {c = {}}
local fence = recordConnection(userId, user, connectionId, now + ttlMs)
saveUser(userId, user)
if joined then publish('join', userId, fence, now) end
return {fence, joined and 1 or 0}
`;
