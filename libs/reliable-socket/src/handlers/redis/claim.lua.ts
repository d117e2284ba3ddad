/**
 * Done → the reply; another token's lease → busy; otherwise (absent, expired, or the caller's own lease)
 * take the lease. Reading and writing in one script is what makes concurrent claims exclusive.
 *
 * KEYS: the message key.
 * ARGV: token, leaseMs.
 * Returns `{'done', replyJson}`, `{'busy', remaining lease ms (>= 1)}` or `{'claimed'}`.
 */
export const CLAIM_LUA = `
local key, lease = KEYS[1], 'L:' .. ARGV[1]
local value = redis.call('GET', key)
if value then
  if string.sub(value, 1, 2) == 'D:' then return {'done', string.sub(value, 3)} end
  -- The lease's own TTL is the wait: Redis's clock, so every node computes the same retry time.
  if value ~= lease then return {'busy', math.max(redis.call('PTTL', key), 1)} end
end
redis.call('SET', key, lease, 'PX', ARGV[2])
return {'claimed'}
`;
