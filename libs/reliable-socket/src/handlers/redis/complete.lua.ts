/**
 * Records each reply unless one is already on record, per key in order. Whoever holds the lease does not
 * matter: the handler has run, so its reply is the answer, and an attempt that completes later gets the
 * first one.
 *
 * KEYS: the message keys (one user's, so one Cluster slot).
 * ARGV: ttlMs, then the reply JSON of each key.
 * Returns, per key, the earlier reply JSON (a string), or the 1-based index of the entry of this batch
 * whose reply is now on record: the entry's own, or an earlier entry for the same key. The caller has
 * those replies already, so they are not echoed back (they may be large).
 */
export const COMPLETE_LUA = `
local ttlMs = ARGV[1]
local recordedBy = {}
local results = {}
for i, key in ipairs(KEYS) do
  if recordedBy[key] then
    results[i] = recordedBy[key]
  else
    local value = redis.call('GET', key)
    if value and string.sub(value, 1, 2) == 'D:' then
      results[i] = string.sub(value, 3)
    else
      redis.call('SET', key, 'D:' .. ARGV[i + 1], 'PX', ttlMs)
      recordedBy[key] = i
      results[i] = i
    end
  end
end
return results
`;
