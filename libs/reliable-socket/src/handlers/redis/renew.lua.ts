/**
 * Extends the caller's lease. A lease that expired without anyone taking it over is taken back: the
 * attempt is still running, and holding the key keeps a retry from starting a duplicate meanwhile.
 *
 * KEYS: the message key.
 * ARGV: token, leaseMs.
 * Returns 1 if the caller holds the lease now, 0 if another attempt holds it or the message is done.
 */
export const RENEW_LUA = `
local key, lease = KEYS[1], 'L:' .. ARGV[1]
local value = redis.call('GET', key)
if value and value ~= lease then return 0 end
redis.call('SET', key, lease, 'PX', ARGV[2])
return 1
`;
