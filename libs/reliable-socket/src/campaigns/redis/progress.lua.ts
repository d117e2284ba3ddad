import { CAMPAIGN_LIB_LUA } from './campaign-lib.lua.js';

/**
 * Reads the counts in one atomic step, so `total = delivered + pending + expired` always holds. Read
 * only: a campaign past `expiresAt` that no worker has finalised yet reads as it will be finalised.
 *
 * KEYS: the campaign's keys (`scriptKeys`).
 * Returns `{}` for an unknown campaign, else `{state, total, delivered, pending, expired}`.
 */
export const PROGRESS_LUA = `${CAMPAIGN_LIB_LUA}
local meta = redis.call('HMGET', metaKey, 'state', 'total', 'expiresAt', 'expired')
if not meta[1] then return {} end
local state, total = meta[1], tonumber(meta[2])
local delivered = redis.call('HLEN', deliveredKey)
if FINAL[state] then return {state, total, delivered, 0, tonumber(meta[4])} end
if nowMs() >= tonumber(meta[3]) then
  return {delivered == total and 'completed' or 'expired', total, delivered, 0, total - delivered}
end
return {state, total, delivered, total - delivered, 0}
`;
