/**
 * "Set if greater" on a sender's completed sequence. The TTL is refreshed even when the value stays:
 * the sender is still active, so its position must not be forgotten mid-conversation.
 *
 * KEYS: the sequence key.
 * ARGV: seq, ttlMs.
 */
export const RECORD_SEQUENCE_LUA = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return nil
`;
