import type { BatchEnvelope, LiveBatchEnvelope, LiveEnvelope, StreamHead, SyncedEnvelope, WireMessage } from '../protocol.js';

/** Shape checks for what the server sends: a malformed envelope is reported instead of corrupting a cursor. */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isOffset = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function isWireMessage(value: unknown): value is WireMessage {
  return isRecord(value) && isOffset(value.offset) && value.offset > 0 && typeof value.event === 'string';
}

export function isLiveEnvelope(value: unknown): value is LiveEnvelope {
  return isWireMessage(value) && typeof (value as LiveEnvelope).stream === 'string' && typeof (value as LiveEnvelope).epoch === 'string';
}

export function isLiveBatchEnvelope(value: unknown): value is LiveBatchEnvelope {
  return isRecord(value) && typeof value.stream === 'string' && typeof value.epoch === 'string' && Array.isArray(value.messages) && value.messages.every(isWireMessage);
}

export function isBatchEnvelope(value: unknown): value is BatchEnvelope {
  return (
    isRecord(value) && typeof value.stream === 'string' && typeof value.epoch === 'string' && isOffset(value.after) &&
    Array.isArray(value.messages) && value.messages.every(isWireMessage)
  );
}

function isStreamHead(value: unknown): value is StreamHead {
  return isRecord(value) && typeof value.stream === 'string' && typeof value.epoch === 'string' && isOffset(value.head);
}

export function isSyncedEnvelope(value: unknown): value is SyncedEnvelope {
  return isRecord(value) && Array.isArray(value.streams) && value.streams.every(isStreamHead);
}
