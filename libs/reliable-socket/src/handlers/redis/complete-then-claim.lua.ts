/**
 * One user's turn, atomically: record replies, then take leases. Completions go first, so a duplicate
 * claimed in the same turn finds the reply just recorded. `claimBatch` and `completeBatch` are this
 * script with one part empty.
 *
 * Completion, per key in order: record the reply unless one is on record (the first completion wins,
 * whoever holds the lease: the handler has run, so its reply is the answer). `SET … GET` writes and reads
 * in one call on the common path (a lease or nothing on record); in the rare case of an earlier reply (a
 * handler re-run after its lease expired) that reply is written back, with a fresh TTL, and stays the answer.
 * Claim, per key in order: done → the reply; another token's lease → busy; otherwise (absent, expired,
 * or the caller's own lease) take the lease. Reading and writing in one script is what makes concurrent
 * claims exclusive; `SET NX GET` does both in one call on the common path (a fresh message).
 *
 * KEYS: the completed message keys, then the claimed ones (all one user's, so one Cluster slot).
 * ARGV: number of completed keys, ttlMs, token, leaseMs, then the reply JSON of each completed key.
 * Returns one flat outcome per key, in KEYS order, so that nothing is nested for Redis to encode and the
 * client to decode:
 * - completed key: `0` (its reply is now on record: the caller has it already), `-n` (the same key came
 *   earlier in this turn: entry n's reply is on record) or the reply JSON on record before the turn;
 * - claimed key: `0` (claimed), the reply JSON (done), or the remaining lease ms, at least 1 (busy).
 */
export const COMPLETE_THEN_CLAIM_LUA = `
local completed, ttlMs, lease, leaseMs = tonumber(ARGV[1]), ARGV[2], 'L:' .. ARGV[3], ARGV[4]
local outcomes, recordedBy = {}, {}

for i = 1, completed do
  local key = KEYS[i]
  if recordedBy[key] then
    outcomes[i] = -recordedBy[key]
  else
    local value = 'D:' .. ARGV[4 + i]
    local earlier = redis.call('SET', key, value, 'PX', ttlMs, 'GET')
    if earlier and string.sub(earlier, 1, 2) == 'D:' then
      redis.call('SET', key, earlier, 'PX', ttlMs)
      outcomes[i] = string.sub(earlier, 3)
    else
      recordedBy[key] = i
      outcomes[i] = 0
    end
  end
end

for i = completed + 1, #KEYS do
  local key = KEYS[i]
  local value = redis.call('SET', key, lease, 'NX', 'PX', leaseMs, 'GET')
  if not value then
    outcomes[i] = 0
  elseif string.sub(value, 1, 2) == 'D:' then
    outcomes[i] = string.sub(value, 3)
  elseif value == lease then
    redis.call('SET', key, lease, 'PX', leaseMs)
    outcomes[i] = 0
  else
    -- The lease's own TTL is the wait: Redis's clock, so every node computes the same retry time.
    outcomes[i] = math.max(redis.call('PTTL', key), 1)
  end
end

return outcomes
`;
