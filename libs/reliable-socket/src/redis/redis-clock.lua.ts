/**
 * `nowMs()` from the Redis clock, prepended to every script that stamps or expires something: every
 * node then reads one clock, so a node whose own clock drifts cannot expire another node's entries.
 */
export const REDIS_CLOCK_LUA = `
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;
