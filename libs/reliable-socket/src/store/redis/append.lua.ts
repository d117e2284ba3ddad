import { STREAM_LOG_LUA } from './stream-log.lua.js';

/**
 * Appends a batch of messages to one stream in one atomic script: idempotency checks, age trim, offset
 * assignment and XADD. One round trip for the whole batch, and no other append can interleave with it,
 * so the batch gets contiguous offsets.
 *
 * KEYS: meta, log, then the idempotency key of each message that has one, in message order.
 * ARGV: candidate epoch, maxLength, maxAgeMs, meta TTL ms, idempotency TTL ms, then per message its body
 * JSON (without `ts`) and 1 or 0 for whether it has an idempotency key.
 * Returns `{epoch, offset1, duplicate1 (0 | 1), offset2, duplicate2, …}`.
 */
export const APPEND_LUA = `${STREAM_LOG_LUA}
local metaKey, logKey = KEYS[1], KEYS[2]
local maxLength, maxAgeMs, metaTtlMs, idempotencyTtlMs = ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local epoch = ensureEpoch(metaKey, logKey, ARGV[1], metaTtlMs)

-- Taken from Redis, not the caller, so every node stamps and expires messages by the same clock.
local now = nowMs()
local ts = string.format('%.0f', now)
local head = tonumber(redis.call('HGET', metaKey, 'head') or 0)
trimExpired(logKey, head, now - maxAgeMs)

local results = {epoch}
local nextIdempotencyKey = 3
for argument = 6, #ARGV, 2 do
  local body, hasKey = ARGV[argument], ARGV[argument + 1] == '1'
  local idempotencyKey
  local prior
  if hasKey then
    idempotencyKey = KEYS[nextIdempotencyKey]
    nextIdempotencyKey = nextIdempotencyKey + 1
    local recorded = redis.call('GET', idempotencyKey)
    if recorded then
      local priorOffset, priorEpoch = string.match(recorded, '^(%d+):(.*)$')
      -- A key recorded in a lost epoch points at an offset that no longer exists.
      if priorEpoch == epoch then prior = tonumber(priorOffset) end
    end
  end
  if prior then
    table.insert(results, prior)
    table.insert(results, 1)
  else
    head = head + 1
    -- Mirrors stampMessage() in message.codec.ts: the body is a JSON object, so it ends with '}'.
    local message = string.sub(body, 1, -2) .. ',"ts":' .. ts .. '}'
    redis.call('XADD', logKey, 'MAXLEN', maxLength, head .. '-0', 't', ts, 'm', message)
    if idempotencyKey then redis.call('SET', idempotencyKey, head .. ':' .. epoch, 'PX', idempotencyTtlMs) end
    table.insert(results, head)
    table.insert(results, 0)
  end
end
redis.call('HSET', metaKey, 'head', head)
-- Once maxAgeMs passes without an append, every message has expired anyway.
redis.call('PEXPIRE', logKey, maxAgeMs)
redis.call('PEXPIRE', metaKey, metaTtlMs)
return results
`;
