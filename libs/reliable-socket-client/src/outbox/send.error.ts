import type { ErrorCodeValue } from '../protocol.js';
import { ReliableError } from '../request/reliable.error.js';

/** Options of a {@link ReliableSendError}. */
export interface ReliableSendErrorInit {
  /** The message's id, when it got one (validation errors happen before). */
  id?: string;
  event?: string;
  details?: unknown;
  cause?: unknown;
}

/**
 * Why a `client.send()` promise rejected. `code` is the server's (`{ ok: false, error }`, final: the
 * message is no longer queued) or one of the SDK's:
 * - `TIMEOUT`: `timeoutMs` elapsed; the message is **still queued** and retried until acked or cancelled.
 * - `CANCELLED`: `client.cancel(id)` dropped it.
 * - `UNAVAILABLE`: the client was closed; the message stays in the outbox for a later client.
 * - `BAD_REQUEST`: the event name or the data cannot be sent (nothing was queued), or the server's reply was malformed.
 *
 * A {@link ReliableError}, like the errors of the client's other requests, with the message's id and event.
 *
 * @example
 * try {
 *   await client.send('order:place', order, { timeoutMs: 5000 });
 * } catch (error) {
 *   if (error instanceof ReliableSendError && error.code === 'TIMEOUT') showPending(error.id);
 * }
 */
export class ReliableSendError extends ReliableError {
  override readonly name: string = 'ReliableSendError';
  readonly id: string | undefined;
  readonly event: string | undefined;

  constructor(code: ErrorCodeValue | (string & {}), message: string, init: ReliableSendErrorInit = {}) {
    super(code, message, { details: init.details, cause: init.cause });
    this.id = init.id;
    this.event = init.event;
  }
}
