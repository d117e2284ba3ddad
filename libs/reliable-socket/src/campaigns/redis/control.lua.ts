import { CAMPAIGN_LIB_LUA } from './campaign-lib.lua.js';

/**
 * Pause, resume or cancel. Cancelling finalises like expiry does (whatever is not delivered counts as
 * expired) but with state `cancelled`; a campaign already past `expiresAt` is finalised as such first.
 *
 * KEYS: the campaign's keys (`scriptKeys`).
 * ARGV: 'pause' | 'resume' | 'cancel'.
 * Returns `{'missing'}`, `{'final', state}` (nothing changed), or `{'ok'}`.
 */
export const CONTROL_LUA = `${CAMPAIGN_LIB_LUA}
local meta = redis.call('HMGET', metaKey, 'state', 'expiresAt')
if not meta[1] then return {'missing'} end
local now = nowMs()
local state = finaliseIfDue(meta[1], tonumber(meta[2]), now)
if FINAL[state] then return {'final', state} end
if ARGV[1] == 'cancel' then
  finalise('cancelled', now)
else
  redis.call('HSET', metaKey, 'state', ARGV[1] == 'pause' and 'paused' or 'running')
end
return {'ok'}
`;
