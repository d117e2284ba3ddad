import { REDIS_CLOCK_LUA } from '../../redis/redis-clock.lua.js';

/*
 * Read-only scripts. They exist for the clock: "live" means an expiry after Redis's `now`, the clock the
 * expiries were stamped with, so a connection stops counting the moment it expires, swept or not.
 */

/**
 * KEYS: conns, users.
 * Returns `{live connections, live users}`.
 */
export const COUNT_LUA = `${REDIS_CLOCK_LUA}
local after = '(' .. nowMs()
return {redis.call('ZCOUNT', KEYS[1], after, '+inf'), redis.call('ZCOUNT', KEYS[2], after, '+inf')}
`;

/**
 * KEYS: users.
 * ARGV: user ids.
 * Returns 1 or 0 per user id, in order.
 */
export const ONLINE_LUA = `${REDIS_CLOCK_LUA}
local now = nowMs()
local online = {}
for index, userId in ipairs(ARGV) do
  local expiry = redis.call('ZSCORE', KEYS[1], userId)
  online[index] = (expiry and tonumber(expiry) > now) and 1 or 0
end
return online
`;

/**
 * Live users after a lexicographic bound. Users that expired but are not swept yet are skipped, reading
 * on until the page is full; one user more than the page tells the caller another page follows.
 *
 * KEYS: names, users.
 * ARGV: BYLEX lower bound ('-' or '(' .. cursor), limit.
 * Returns up to limit + 1 user ids, in byte order.
 */
export const ONLINE_PAGE_LUA = `${REDIS_CLOCK_LUA}
local now = nowMs()
local lower, wanted = ARGV[1], tonumber(ARGV[2]) + 1
local users = {}
while true do
  local names = redis.call('ZRANGE', KEYS[1], lower, '+', 'BYLEX', 'LIMIT', 0, wanted)
  for _, userId in ipairs(names) do
    local expiry = redis.call('ZSCORE', KEYS[2], userId)
    if expiry and tonumber(expiry) > now then
      users[#users + 1] = userId
      if #users == wanted then return users end
    end
  end
  if #names < wanted then return users end
  lower = '(' .. names[#names]
end
`;
