/**
 * KEYS: holder hash, fence counter. ARGV: session id, mode, ttl ms, fence counter ttl ms.
 * Returns {1, fence, 1 if a live session was replaced else 0} when granted, {0, holder session id} when refused. The decision and the new fence
 * are one atomic step, so simultaneous connects on different nodes cannot both win.
 */
export const CLAIM_SESSION_LUA = `
local holder = redis.call('HGET', KEYS[1], 'session')
if ARGV[2] == 'reject' and holder and holder ~= ARGV[1] then return {0, holder} end
local fence = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'session', ARGV[1], 'fence', fence)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if holder then return {1, fence, 1} end
return {1, fence, 0}
`;

/**
 * KEYS: holder hash. ARGV: fence, ttl ms, session id ('' for none). Extends the session if the fence still
 * holds it, or takes an absent record back under that fence when a session id is given; 1 or 0.
 */
export const REFRESH_SESSION_LUA = `
local fence = redis.call('HGET', KEYS[1], 'fence')
if not fence and ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'session', ARGV[3], 'fence', ARGV[1])
elseif fence ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: holder hash. ARGV: fence. Deletes the session only if that fence still holds it. */
export const RELEASE_SESSION_LUA = `
if redis.call('HGET', KEYS[1], 'fence') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;
