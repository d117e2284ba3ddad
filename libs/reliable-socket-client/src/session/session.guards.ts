import type { ControlEnvelope, SessionEnvelope } from '../protocol.js';
import type { OkReply } from '../request/ack.request.js';

/** Shape checks for the server's session signals: a malformed one is reported, never acted upon. */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * `type` is only checked to be a string: a newer server may send signals this client does not know,
 * which it then ignores.
 */
export function isControlEnvelope(value: unknown): value is Omit<ControlEnvelope, 'type'> & { type: string } {
  return (
    isRecord(value) && typeof value.type === 'string' && typeof value.reason === 'string' &&
    (value.reconnectInMs === undefined || typeof value.reconnectInMs === 'number')
  );
}

export function isSessionEnvelope(value: unknown): value is SessionEnvelope {
  return isRecord(value) && typeof value.userId === 'string' && (value.expiresAt === undefined || value.expiresAt === null || isTime(value.expiresAt));
}

/** The `rs:auth` success reply `{ ok: true, expiresAt? }`, or undefined when malformed. */
export function parseReauthReply(reply: OkReply): { expiresAt?: number } | undefined {
  if (reply.expiresAt === undefined || reply.expiresAt === null) return {};
  return isTime(reply.expiresAt) ? { expiresAt: reply.expiresAt } : undefined;
}
