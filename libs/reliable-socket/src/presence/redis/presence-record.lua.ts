import { REDIS_CLOCK_LUA } from '../../redis/redis-clock.lua.js';

/**
 * Lua shared by the mutating scripts (connect, disconnect, heartbeat, sweep), prepended to each (Redis
 * has no script imports). Layout in `presence-keys.ts`.
 *
 * KEYS: conns, users, names, state, seq. ARGV: channel, namespace, then the script's own arguments.
 *
 * Invariants every script keeps: a user has a `state` record iff it has a recorded connection; its
 * `users` score is the latest expiry in the record; `conns` holds exactly the recorded connections.
 * Each script first settles the users it touches (drops their expired connections), so a user goes
 * through join, leave, join … with exactly one event per change, whichever script notices it.
 */
export const PRESENCE_RECORD_LUA = `${REDIS_CLOCK_LUA}
local connsKey, usersKey, namesKey, stateKey, seqKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local channel, namespace = ARGV[1], ARGV[2]

local function connectionMember(userId, connectionId)
  return cjson.encode({userId, connectionId})
end

local function publish(eventType, userId, fence, now)
  redis.call('PUBLISH', channel, cjson.encode({type = eventType, namespace = namespace, userId = userId, fence = fence, at = now}))
end

-- Removes the user entirely and announces it offline, with the highest fence it had.
local function forgetUser(userId, user, now)
  redis.call('HDEL', stateKey, userId)
  redis.call('ZREM', usersKey, userId)
  redis.call('ZREM', namesKey, userId)
  publish('leave', userId, user.f, now)
end

local function saveUser(userId, user)
  local latest = 0
  for _, expiry in pairs(user.c) do
    if expiry > latest then latest = expiry end
  end
  redis.call('HSET', stateKey, userId, cjson.encode(user))
  redis.call('ZADD', usersKey, latest, userId)
  redis.call('ZADD', namesKey, 0, userId)
end

-- Drops the user's expired connections. Returns its record when a live connection remains (the caller
-- saves it), else nil and whether this call published the user's leave (it had only expired ones).
local function settleUser(userId, now)
  local raw = redis.call('HGET', stateKey, userId)
  if not raw then return nil, false end
  local user = cjson.decode(raw)
  local live = false
  for connectionId, expiry in pairs(user.c) do
    if expiry <= now then
      user.c[connectionId] = nil -- clearing fields during pairs() is allowed in Lua
      redis.call('ZREM', connsKey, connectionMember(userId, connectionId))
    else
      live = true
    end
  end
  if live then return user, false end
  forgetUser(userId, user, now)
  return nil, true
end

-- A connection the user's record does not hold: a new one, or one the store lost (swept while its node
-- was paused, or Redis lost its data). It gets the next fence, so events about it supersede older ones.
local function recordConnection(userId, user, connectionId, expiry)
  local fence = redis.call('INCR', seqKey)
  user.f = fence
  user.c[connectionId] = expiry
  redis.call('ZADD', connsKey, expiry, connectionMember(userId, connectionId))
  return fence
end
`;
