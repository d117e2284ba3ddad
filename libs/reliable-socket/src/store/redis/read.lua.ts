import { STREAM_LOG_LUA } from './stream-log.lua.js';

/**
 * Epoch creation, age trim and the range read in one script, so `first`, `head` and the messages
 * describe the same instant. Also serves `state()` with a limit of 0.
 *
 * KEYS: meta, log.
 * ARGV: candidate epoch, after, limit, maxAgeMs, meta TTL ms.
 * Returns `{epoch, first, head, offset1, message1, offset2, message2, …}`.
 */
export const READ_LUA = `${STREAM_LOG_LUA}
local metaKey, logKey = KEYS[1], KEYS[2]
local after, limit, maxAgeMs = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local epoch = ensureEpoch(metaKey, logKey, ARGV[1], ARGV[5])
local head = tonumber(redis.call('HGET', metaKey, 'head') or 0)
local first = trimExpired(logKey, head, nowMs() - maxAgeMs)

local reply = {epoch, first, head}
if limit > 0 then
  -- '(' makes the start exclusive: the page begins right after the caller's cursor, or at first.
  for _, entry in ipairs(redis.call('XRANGE', logKey, '(' .. after .. '-0', '+', 'COUNT', limit)) do
    reply[#reply + 1] = offsetOf(entry[1])
    reply[#reply + 1] = entry[2][4]
  end
end
return reply
`;
