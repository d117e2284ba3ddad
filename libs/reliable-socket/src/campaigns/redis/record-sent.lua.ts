import { CAMPAIGN_LIB_LUA } from './campaign-lib.lua.js';

/**
 * Moves recipients from pending to sent with the offset their message got. Only a recipient still
 * pending moves: when a lease ran out and two workers sent to the same user (one append, thanks to the
 * idempotency key), the second record changes nothing. An ack that arrived while the recipient was
 * leased (kept in `early`) and covers the offset delivers it at once.
 *
 * KEYS: the campaign's keys (`scriptKeys`).
 * ARGV: user, offset, user, offset, …
 */
export const RECORD_SENT_LUA = `${CAMPAIGN_LIB_LUA}
local state = redis.call('HGET', metaKey, 'state')
-- A batch in flight when the campaign paused is still recorded; a final campaign takes nothing more.
if not state or FINAL[state] then return 0 end
for index = 1, #ARGV, 2 do
  local user, offset = ARGV[index], tonumber(ARGV[index + 1])
  if redis.call('ZREM', pendingKey, user) == 1 then
    local early = tonumber(redis.call('HGET', earlyKey, user) or '-1')
    redis.call('HDEL', earlyKey, user)
    redis.call('HSET', early >= offset and deliveredKey or sentKey, user, offset)
  end
end
keepWithMeta(sentKey, deliveredKey)
completeIfAllDelivered(nowMs())
return 1
`;
