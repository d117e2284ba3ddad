import { ErrorCode, type ErrorReply, type SendEnvelope } from '@reliable-socket/client/protocol';

const ID_PATTERN = /^[\w.:-]{1,128}$/;

/** Whether `value` can be a message id (or a sender id): 1-128 characters of `[A-Za-z0-9_.:-]`. */
export const isMessageId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);

export type ParsedEnvelope = { envelope: SendEnvelope } | ErrorReply;

function invalid(problem: string): ErrorReply {
  return { error: { code: ErrorCode.BadRequest, message: `malformed reliable message: ${problem}` } };
}

/**
 * Validates an inbound reliable message before anything runs: ids that could not be deduplicated, or a
 * payload over the size limit, are refused with a clear error instead of reaching the handler.
 */
export function parseSendEnvelope(payload: unknown, maxPayloadBytes: number): ParsedEnvelope {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return invalid('expected { id, sid, seq, data }');
  }
  const { id, sid, seq, data } = payload as Partial<SendEnvelope>;
  if (!isMessageId(id)) return invalid('"id" must be 1-128 characters of [A-Za-z0-9_.:-]');
  if (!isMessageId(sid)) return invalid('"sid" must be 1-128 characters of [A-Za-z0-9_.:-]');
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return invalid('"seq" must be a positive integer');
  const size = data === undefined ? 0 : Buffer.byteLength(JSON.stringify(data));
  if (size > maxPayloadBytes) {
    return { error: { code: ErrorCode.PayloadTooLarge, message: `payload is ${size} bytes, over the ${maxPayloadBytes}-byte limit` } };
  }
  return { envelope: { id, sid, seq: seq as number, data } };
}
