import { PRESENCE_RECORD_LUA } from './presence-record.lua.js';

/**
 * Removes up to `limit` expired connections (a crashed node's) and settles their users, publishing the
 * leave of each user left without a live connection. Bounded per call so no script blocks Redis for long.
 *
 * KEYS: conns, users, names, state, seq.
 * ARGV: channel, namespace, limit.
 * Returns `{removed, more}`: how many connections were removed (settling a user removes all of its
 * expired ones, so it can exceed `limit`) and 1 when `limit` were found, so the caller runs it again.
 */
export const SWEEP_LUA = `${PRESENCE_RECORD_LUA}
local now = nowMs()
local limit = tonumber(ARGV[3])
local expired = redis.call('ZRANGE', connsKey, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
if #expired == 0 then return {0, 0} end
local before = redis.call('ZCARD', connsKey)
-- Removed here as well as by settleUser, so a sweep makes progress even past an inconsistent record.
redis.call('ZREM', connsKey, unpack(expired))
local settled = {}
for _, member in ipairs(expired) do
  local userId = cjson.decode(member)[1]
  if not settled[userId] then
    settled[userId] = true
    local user = settleUser(userId, now)
    if user then saveUser(userId, user) end
  end
end
return {before - redis.call('ZCARD', connsKey), #expired == limit and 1 or 0}
`;
