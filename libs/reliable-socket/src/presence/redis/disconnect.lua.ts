import { PRESENCE_RECORD_LUA } from './presence-record.lua.js';

/**
 * Removes a connection; the user leaves only when no live connection remains. A late disconnect of an
 * old connection, arriving after the user reconnected elsewhere, therefore changes nothing visible.
 *
 * KEYS: conns, users, names, state, seq.
 * ARGV: channel, namespace, userId, connectionId.
 * Returns 1 when this call published the user's leave, else 0.
 */
export const DISCONNECT_LUA = `${PRESENCE_RECORD_LUA}
local userId, connectionId = ARGV[3], ARGV[4]
local now = nowMs()
local user, left = settleUser(userId, now)
if not user then return left and 1 or 0 end
if user.c[connectionId] then
  user.c[connectionId] = nil
  redis.call('ZREM', connsKey, connectionMember(userId, connectionId))
  if next(user.c) == nil then
    forgetUser(userId, user, now)
    return 1
  end
end
-- Saved even when the connection was unknown: settling may have dropped expired ones.
saveUser(userId, user)
return 0
`;
