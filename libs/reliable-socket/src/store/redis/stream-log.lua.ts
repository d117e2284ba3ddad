import { REDIS_CLOCK_LUA } from '../../redis/redis-clock.lua.js';

/**
 * Lua functions shared by `append.lua.ts` and `read.lua.ts`, prepended to each script (Redis has no
 * script imports). Log entries have id `<offset>-0` and fields `t` (ms, first) and `m` (message JSON).
 */
export const STREAM_LOG_LUA = `${REDIS_CLOCK_LUA}
local function offsetOf(id)
  return tonumber(string.match(id, '^(%d+)'))
end

-- The meta outlives the log, so a missing meta means the history is gone: a new epoch starts, and a
-- log that survived its meta is dropped because its ids would collide with the restarted offsets.
local function ensureEpoch(metaKey, logKey, candidateEpoch, metaTtlMs)
  if redis.call('HSETNX', metaKey, 'epoch', candidateEpoch) == 1 then
    redis.call('DEL', logKey)
    redis.call('PEXPIRE', metaKey, metaTtlMs)
    return candidateEpoch
  end
  return redis.call('HGET', metaKey, 'epoch')
end

local function timestampAt(logKey, offset)
  local id = offset .. '-0'
  return tonumber(redis.call('XRANGE', logKey, id, id)[1][2][2])
end

-- Deletes the entries stamped before cutoff; returns the first retained offset (head + 1 if none).
-- Offsets are contiguous and timestamps grow with them, so the boundary is found by a binary search
-- of single-entry lookups instead of reading the whole expired range.
local function trimExpired(logKey, head, cutoff)
  local oldest = redis.call('XRANGE', logKey, '-', '+', 'COUNT', 1)[1]
  if not oldest then return head + 1 end
  if tonumber(oldest[2][2]) >= cutoff then return offsetOf(oldest[1]) end
  local newest = redis.call('XREVRANGE', logKey, '+', '-', 'COUNT', 1)[1]
  if tonumber(newest[2][2]) < cutoff then
    redis.call('DEL', logKey)
    return head + 1
  end
  -- invariant: timestamp(low - 1) < cutoff <= timestamp(high)
  local low, high = offsetOf(oldest[1]) + 1, offsetOf(newest[1])
  while low < high do
    local middle = math.floor((low + high) / 2)
    if timestampAt(logKey, middle) < cutoff then low = middle + 1 else high = middle end
  end
  redis.call('XTRIM', logKey, 'MINID', low .. '-0')
  return low
end
`;
