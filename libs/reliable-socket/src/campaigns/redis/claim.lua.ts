import { CAMPAIGN_LIB_LUA } from './campaign-lib.lua.js';

/**
 * Leases up to `max` claimable recipients (never claimed, or whose lease ran out) to the caller, within
 * the campaign's token bucket, which every node's worker shares: the rate holds across the cluster.
 * The bucket accrues `rate` tokens per second up to `burst` (same arithmetic as `token-bucket.ts`) and
 * is charged only for the recipients actually claimed. A campaign found past `expiresAt` is finalised.
 *
 * KEYS: the campaign's keys (`scriptKeys`).
 * ARGV: max, leaseMs.
 * Returns `{}` for an unknown campaign, else `{state, recipient…}` (recipients only when running).
 */
export const CLAIM_LUA = `${CAMPAIGN_LIB_LUA}
local max, leaseMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local meta = redis.call('HMGET', metaKey, 'state', 'expiresAt', 'rate', 'burst')
if not meta[1] then return {} end
local now = nowMs()
local state = finaliseIfDue(meta[1], tonumber(meta[2]), now)
if state ~= 'running' then return {state} end

local rate, wanted, tokens, refilledAt = tonumber(meta[3]), max, 0, now
if rate then
  local burst = tonumber(meta[4])
  local bucket = redis.call('HMGET', bucketKey, 'tokens', 'ts')
  tokens = tonumber(bucket[1]) or burst
  refilledAt = tonumber(bucket[2]) or now
  -- A Redis clock that stepped back must not drain the bucket.
  tokens = math.min(burst, tokens + math.max(0, now - refilledAt) * rate / 1000)
  refilledAt = math.max(now, refilledAt)
  wanted = math.min(max, math.floor(tokens))
end

local recipients = {}
if wanted > 0 then recipients = redis.call('ZRANGEBYSCORE', pendingKey, '-inf', now, 'LIMIT', 0, wanted) end
for _, user in ipairs(recipients) do redis.call('ZADD', pendingKey, 'XX', now + leaseMs, user) end
if rate then
  redis.call('HSET', bucketKey, 'tokens', tostring(tokens - #recipients), 'ts', refilledAt)
  keepWithMeta(bucketKey)
end
return {state, unpack(recipients)}
`;
