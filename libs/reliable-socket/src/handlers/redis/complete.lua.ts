/**
 * Records the reply unless one is already on record. Whoever holds the lease does not matter: the
 * handler has run, so its reply is the answer, and an attempt that completes later gets the first one.
 *
 * KEYS: the message key.
 * ARGV: reply JSON, ttlMs.
 * Returns the earlier reply JSON, or nil when the caller's reply was recorded (not echoed back: it may be large).
 */
export const COMPLETE_LUA = `
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, 2) == 'D:' then return string.sub(value, 3) end
redis.call('SET', KEYS[1], 'D:' .. ARGV[1], 'PX', ARGV[2])
return nil
`;
