import { PRESENCE_RECORD_LUA } from './presence-record.lua.js';

/**
 * Renews a batch of one node's connections in one namespace. A connection the store no longer holds
 * (swept while its node was paused past the TTL, or lost with Redis's data) is recorded again, as a
 * connect would: the node still holds that socket, so the user is online, and presence heals by itself.
 *
 * KEYS: conns, users, names, state, seq.
 * ARGV: channel, namespace, ttlMs, then userId, connectionId pairs.
 * Returns how many connections were recorded again.
 */
export const HEARTBEAT_LUA = `${PRESENCE_RECORD_LUA}
local now = nowMs()
local expiry = now + tonumber(ARGV[3])

-- Grouped by user, so each record is read and written once, in the order users first appear.
local order, connectionsOf = {}, {}
for index = 4, #ARGV, 2 do
  local userId = ARGV[index]
  if not connectionsOf[userId] then
    connectionsOf[userId] = {}
    order[#order + 1] = userId
  end
  table.insert(connectionsOf[userId], ARGV[index + 1])
end

local restored = 0
for _, userId in ipairs(order) do
  local user = settleUser(userId, now)
  local joined = user == nil
  user = user or {c = {}}
  for _, connectionId in ipairs(connectionsOf[userId]) do
    if user.c[connectionId] then
      user.c[connectionId] = expiry
      redis.call('ZADD', connsKey, expiry, connectionMember(userId, connectionId))
    else
      recordConnection(userId, user, connectionId, expiry)
      restored = restored + 1
    end
  end
  saveUser(userId, user)
  if joined then publish('join', userId, user.f, now) end
end
return restored
`;
