import type { ErrorCodeValue } from '../protocol.js';

/** Options of a {@link ReliableError}. */
export interface ReliableErrorInit {
  /** The server's `error.details`, when it sent some. */
  details?: unknown;
  cause?: unknown;
}

/**
 * An SDK error with a protocol error code: the server's (from an error reply) or the SDK's own
 * (`UNAVAILABLE`: not connected, `TIMEOUT`: no reply in time, `BAD_REQUEST`: malformed request or reply).
 * Every promise of the client that can fail rejects with one (or a subclass such as `ReliableSendError`),
 * so `error.code` can be switched on without checking where the error came from.
 *
 * @example
 * try {
 *   await client.presence.subscribe('lobby');
 * } catch (error) {
 *   if (error instanceof ReliableError && error.code === 'FORBIDDEN') hideMembers();
 * }
 */
export class ReliableError extends Error {
  override readonly name: string = 'ReliableError';
  readonly code: ErrorCodeValue | (string & {});
  readonly details: unknown;

  constructor(code: ErrorCodeValue | (string & {}), message: string, init: ReliableErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.details = init.details;
  }
}
