import type { Socket } from 'socket.io-client';
import { ErrorCode } from '../protocol.js';
import { ReliableError } from './reliable.error.js';

/** How long a protocol request (`rs:auth`, `rs:presence:*`) waits for its reply. */
export const REQUEST_TIMEOUT_MS = 5000;

/** A success reply, before its own fields are checked. */
export type OkReply = Record<string, unknown> & { ok: true };

/**
 * Emits one protocol request over the live connection and waits for its reply, which is either
 * `{ ok: true, … }` (handed to `parse`) or an `ErrorReply`. Rejects with a {@link ReliableError}:
 * the server's code for an error reply, `UNAVAILABLE` when not connected or disconnected before the
 * reply, `TIMEOUT` when connected but unanswered, `BAD_REQUEST` for a reply `parse` refuses (undefined).
 *
 * Never emits while disconnected: socket.io would buffer the packet and send it on the next
 * connection, long after the caller was told it failed.
 *
 * @example
 * const members = await requestWithAck(socket, 'rs:presence:subscribe', { room }, 5000, (reply) =>
 *   Array.isArray(reply.members) ? reply.members : undefined);
 */
export async function requestWithAck<T>(
  socket: Socket,
  event: string,
  payload: unknown,
  timeoutMs: number,
  parse: (reply: OkReply) => T | undefined,
): Promise<T> {
  if (!socket.connected) throw new ReliableError(ErrorCode.Unavailable, `not connected: ${event} was not sent`);
  let reply: unknown;
  try {
    reply = await socket.timeout(timeoutMs).emitWithAck(event, payload);
  } catch (cause) {
    // socket.io fails a pending ack both on its timeout and on a disconnect; only the state tells which.
    if (!socket.connected) throw new ReliableError(ErrorCode.Unavailable, `disconnected before the reply to ${event}`, { cause });
    throw new ReliableError(ErrorCode.Timeout, `no reply to ${event} within ${timeoutMs} ms`, { cause });
  }
  const error = errorOf(reply);
  if (error) throw new ReliableError(error.code, error.message, { details: error.details });
  const parsed = isOkReply(reply) ? parse(reply) : undefined;
  if (parsed === undefined) throw new ReliableError(ErrorCode.BadRequest, `malformed reply to ${event} from the server`, { details: reply });
  return parsed;
}

function isOkReply(reply: unknown): reply is OkReply {
  return typeof reply === 'object' && reply !== null && (reply as { ok?: unknown }).ok === true;
}

/** The `error` of an `ErrorReply` (`ok: false` or absent), when well-formed enough to report. */
function errorOf(reply: unknown): { code: string; message: string; details?: unknown } | undefined {
  const error = (reply as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string') return undefined;
  if ((reply as { ok?: unknown }).ok === true) return undefined;
  return { code: error.code, message: typeof error.message === 'string' ? error.message : error.code, details: error.details };
}
