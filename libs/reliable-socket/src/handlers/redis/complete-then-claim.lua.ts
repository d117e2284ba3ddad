/**
 * One user's turn, atomically: record replies, then take leases. Completions go first, so a duplicate
 * claimed in the same turn finds the reply just recorded. `claimBatch` and `completeBatch` are this
 * script with one part empty.
 *
 * Completion, per key in order: record the reply unless one is on record (the first completion wins,
 * whoever holds the lease: the handler has run, so its reply is the answer).
 * Claim, per key in order: done → the reply; another token's lease → busy; otherwise (absent, expired,
 * or the caller's own lease) take the lease. Reading and writing in one script is what makes concurrent
 * claims exclusive; `SET NX GET` does both in one call on the common path (a fresh message).
 *
 * KEYS: the completed message keys, then the claimed ones (all one user's, so one Cluster slot).
 * ARGV: number of completed keys, ttlMs, token, leaseMs, then the reply JSON of each completed key.
 * Returns `{completions, claims}`:
 * - per completed key, the earlier reply JSON (a string), or the 1-based index of the entry of this turn
 *   whose reply is now on record (the caller has those replies already, so they are not echoed back);
 * - per claimed key, `{'done', replyJson}`, `{'busy', remaining lease ms (>= 1)}` or `{'claimed'}`.
 */
export const COMPLETE_THEN_CLAIM_LUA = `
local completed, ttlMs, lease, leaseMs = tonumber(ARGV[1]), ARGV[2], 'L:' .. ARGV[3], ARGV[4]

local recordedBy, completions = {}, {}
for i = 1, completed do
  local key = KEYS[i]
  if recordedBy[key] then
    completions[i] = recordedBy[key]
  else
    local value = redis.call('GET', key)
    if value and string.sub(value, 1, 2) == 'D:' then
      completions[i] = string.sub(value, 3)
    else
      redis.call('SET', key, 'D:' .. ARGV[4 + i], 'PX', ttlMs)
      recordedBy[key] = i
      completions[i] = i
    end
  end
end

local claims = {}
for i = completed + 1, #KEYS do
  local key = KEYS[i]
  local value = redis.call('SET', key, lease, 'NX', 'PX', leaseMs, 'GET')
  if not value then
    claims[i - completed] = {'claimed'}
  elseif string.sub(value, 1, 2) == 'D:' then
    claims[i - completed] = {'done', string.sub(value, 3)}
  elseif value == lease then
    redis.call('SET', key, lease, 'PX', leaseMs)
    claims[i - completed] = {'claimed'}
  else
    -- The lease's own TTL is the wait: Redis's clock, so every node computes the same retry time.
    claims[i - completed] = {'busy', math.max(redis.call('PTTL', key), 1)}
  end
end

return {completions, claims}
`;
