/**
 * Extends the callers' leases, per key in order. A lease that expired without anyone taking it over is
 * taken back: the attempt is still running, and holding the key keeps a retry from starting a duplicate.
 *
 * KEYS: the message keys (one user's, so one Cluster slot).
 * ARGV: leaseMs, then the token of each key.
 * Returns, per key, 1 if that token holds the lease now, 0 if another attempt holds it or the message is done.
 */
export const RENEW_LUA = `
local leaseMs = ARGV[1]
local held = {}
for i, key in ipairs(KEYS) do
  local lease = 'L:' .. ARGV[i + 1]
  local value = redis.call('GET', key)
  if value and value ~= lease then
    held[i] = 0
  else
    redis.call('SET', key, lease, 'PX', leaseMs)
    held[i] = 1
  end
end
return held
`;
