import { STREAM_LOG_LUA } from './stream-log.lua.js';

/**
 * Idempotency check, age trim, offset assignment and XADD in one atomic script: one round trip per
 * append, and no two appends can interleave between reading and bumping the head.
 *
 * KEYS: meta, log[, idempotency key] — the third is present only when the append has an idempotency key.
 * ARGV: candidate epoch, message body JSON without `ts`, maxLength, maxAgeMs, meta TTL ms, idempotency TTL ms.
 * Returns `{epoch, offset, duplicate (0 | 1)}`.
 */
export const APPEND_LUA = `${STREAM_LOG_LUA}
local metaKey, logKey, idempotencyKey = KEYS[1], KEYS[2], KEYS[3]
local maxLength, maxAgeMs, metaTtlMs, idempotencyTtlMs = ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local epoch = ensureEpoch(metaKey, logKey, ARGV[1], metaTtlMs)

if idempotencyKey then
  local prior = redis.call('GET', idempotencyKey)
  if prior then
    local priorOffset, priorEpoch = string.match(prior, '^(%d+):(.*)$')
    -- A key recorded in a lost epoch points at an offset that no longer exists.
    if priorEpoch == epoch then return {epoch, tonumber(priorOffset), 1} end
  end
end

-- Taken from Redis, not the caller, so every node stamps and expires messages by the same clock.
local now = nowMs()
local head = tonumber(redis.call('HGET', metaKey, 'head') or 0)
trimExpired(logKey, head, now - maxAgeMs)

local offset = redis.call('HINCRBY', metaKey, 'head', 1)
local ts = string.format('%.0f', now)
-- Mirrors stampMessage() in message.codec.ts: the body is a JSON object, so it ends with '}'.
local message = string.sub(ARGV[2], 1, -2) .. ',"ts":' .. ts .. '}'
redis.call('XADD', logKey, 'MAXLEN', maxLength, offset .. '-0', 't', ts, 'm', message)
-- Once maxAgeMs passes without an append, every message has expired anyway.
redis.call('PEXPIRE', logKey, maxAgeMs)
redis.call('PEXPIRE', metaKey, metaTtlMs)
if idempotencyKey then
  redis.call('SET', idempotencyKey, offset .. ':' .. epoch, 'PX', idempotencyTtlMs)
end
return {epoch, offset, 0}
`;
