/**
 * "Set if greater" on the stream's acked offset, and the cross-node notification, in one round trip.
 * Publishing only when the value advances spares every node a message per repeated cumulative ack.
 *
 * KEYS: meta.
 * ARGV: offset, meta TTL ms, acks channel, namespace, stream.
 * Returns the acked offset after the call (0 when the stream has no epoch).
 */
export const ACK_LUA = `
local metaKey = KEYS[1]
local fields = redis.call('HMGET', metaKey, 'epoch', 'head', 'acked')
-- No epoch: the history this ack refers to is gone, and recording it would pre-ack a future epoch.
if not fields[1] then return 0 end
redis.call('PEXPIRE', metaKey, ARGV[2])

local acked = tonumber(fields[3] or 0)
-- Past the head nothing can have been handled; clamping keeps a stale cursor from pre-acking new messages.
local offset = math.min(tonumber(ARGV[1]), tonumber(fields[2] or 0))
if offset <= acked then return acked end

redis.call('HSET', metaKey, 'acked', offset)
redis.call('PUBLISH', ARGV[3], cjson.encode({namespace = ARGV[4], stream = ARGV[5], offset = offset}))
return offset
`;
