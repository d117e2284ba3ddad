import { CAMPAIGN_LIB_LUA } from './campaign-lib.lua.js';

/**
 * Applies acks of recipients' user streams: an ack at or past a recipient's sent offset delivers it,
 * once (the sent entry is removed as the delivered one is written, so every node may report the same
 * ack). An ack of a leased recipient whose send is not recorded yet is kept in `early`, for the record
 * of the send to compare. Acks after `expiresAt` (by the Redis clock) or of a final campaign count for nothing.
 *
 * KEYS: the campaign's keys (`scriptKeys`).
 * ARGV: user, acked offset, user, acked offset, …
 */
export const RECORD_ACKS_LUA = `${CAMPAIGN_LIB_LUA}
local meta = redis.call('HMGET', metaKey, 'state', 'expiresAt')
if not meta[1] or FINAL[meta[1]] then return 0 end
local now = nowMs()
if now >= tonumber(meta[2]) then return 0 end
for index = 1, #ARGV, 2 do
  local user, acked = ARGV[index], tonumber(ARGV[index + 1])
  local sentAt = redis.call('HGET', sentKey, user)
  if sentAt then
    if tonumber(sentAt) <= acked then
      redis.call('HDEL', sentKey, user)
      redis.call('HSET', deliveredKey, user, sentAt)
    end
  else
    local lease = redis.call('ZSCORE', pendingKey, user)
    if lease and tonumber(lease) > 0 then
      redis.call('HSET', earlyKey, user, math.max(acked, tonumber(redis.call('HGET', earlyKey, user) or '0')))
    end
  end
end
keepWithMeta(deliveredKey, earlyKey)
completeIfAllDelivered(now)
return 1
`;
