import { REDIS_CLOCK_LUA } from '../../redis/redis-clock.lua.js';

/**
 * Prepended to every campaign script (Redis has no script imports). Every script declares the six keys
 * of one campaign in the order of `scriptKeys()`, and compares times against the Redis clock, so nodes
 * whose clocks drift still agree on leases, the token bucket and expiry.
 */
export const CAMPAIGN_LIB_LUA = `${REDIS_CLOCK_LUA}
local metaKey, pendingKey, sentKey, deliveredKey, earlyKey, bucketKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local FINAL = { cancelled = true, completed = true, expired = true }

-- Keys written after the campaign was created expire with it.
local function keepWithMeta(...)
  local keepUntil = redis.call('HGET', metaKey, 'keepUntil')
  for _, key in ipairs({...}) do redis.call('PEXPIREAT', key, keepUntil) end
end

-- Final: every recipient not delivered counts as expired, and what only served sending goes.
local function finalise(state, now)
  local expired = tonumber(redis.call('HGET', metaKey, 'total')) - redis.call('HLEN', deliveredKey)
  redis.call('HSET', metaKey, 'state', state, 'expired', expired, 'finishedAt', now)
  redis.call('DEL', pendingKey, earlyKey, bucketKey)
  return state
end

-- The state once expiry is applied: a campaign past expiresAt is final whatever a worker did.
local function finaliseIfDue(state, expiresAt, now)
  if FINAL[state] or now < expiresAt then return state end
  local allDelivered = redis.call('HLEN', deliveredKey) == tonumber(redis.call('HGET', metaKey, 'total'))
  return finalise(allDelivered and 'completed' or 'expired', now)
end

local function completeIfAllDelivered(now)
  if redis.call('HLEN', deliveredKey) == tonumber(redis.call('HGET', metaKey, 'total')) then finalise('completed', now) end
end
`;
