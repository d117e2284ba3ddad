/**
 * Per key, in order: done → the reply; another token's lease → busy; otherwise (absent, expired, or the
 * caller's own lease) take the lease. Reading and writing in one script is what makes concurrent claims
 * exclusive; a batch is one script so a user's messages cost one round trip, not one each.
 *
 * KEYS: the message keys (one user's, so one Cluster slot).
 * ARGV: token, leaseMs.
 * Returns, per key, `{'done', replyJson}`, `{'busy', remaining lease ms (>= 1)}` or `{'claimed'}`.
 */
export const CLAIM_LUA = `
local lease, leaseMs = 'L:' .. ARGV[1], ARGV[2]
local outcomes = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and string.sub(value, 1, 2) == 'D:' then
    outcomes[i] = {'done', string.sub(value, 3)}
  elseif value and value ~= lease then
    -- The lease's own TTL is the wait: Redis's clock, so every node computes the same retry time.
    outcomes[i] = {'busy', math.max(redis.call('PTTL', key), 1)}
  else
    redis.call('SET', key, lease, 'PX', leaseMs)
    outcomes[i] = {'claimed'}
  end
end
return outcomes
`;
