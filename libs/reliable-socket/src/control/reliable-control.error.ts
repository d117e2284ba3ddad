import { ErrorCode } from '@reliable-socket/client/protocol';

/** Codes of control-plane error replies. */
export const ControlErrorCode = {
  /** The command is malformed: a missing or mistyped field, an unknown field, no `requestId`. */
  BadRequest: ErrorCode.BadRequest,
  /** The namespace is not bound on the answering node, or the campaign does not exist. */
  NotFound: 'NOT_FOUND',
  /** The command contradicts the current state (e.g. resuming a cancelled campaign). */
  Conflict: 'CONFLICT',
  /** The capability is missing (no campaigns implementation) or the transport failed. */
  Unavailable: ErrorCode.Unavailable,
  /** No reply within the client's `timeoutMs`. */
  Timeout: ErrorCode.Timeout,
  /** Anything unexpected; the details stay in the socket node's log. */
  Internal: ErrorCode.Internal,
} as const;

export type ControlErrorCodeValue = (typeof ControlErrorCode)[keyof typeof ControlErrorCode];

/** The body of an error reply, as it travels (the `RpcException` error). */
export interface ControlErrorReply {
  code: string;
  message: string;
  details?: unknown;
}

const isErrorReply = (value: unknown): value is ControlErrorReply =>
  typeof value === 'object' && value !== null && typeof (value as ControlErrorReply).code === 'string' && typeof (value as ControlErrorReply).message === 'string';

/**
 * A control command failed. Socket nodes throw it to answer with an error; `ReliableControlClient`
 * rejects with it, whatever went wrong (an error reply, a timeout, a broken transport).
 *
 * @example
 * try {
 *   await control.disconnect({ namespace: '/chat', userId: 'bob', reason: 'BANNED' });
 * } catch (error) {
 *   if (error instanceof ReliableControlError && error.code === 'NOT_FOUND') logger.warn(error.message);
 *   else throw error;
 * }
 */
export class ReliableControlError extends Error {
  constructor(
    readonly code: ControlErrorCodeValue | (string & {}),
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ReliableControlError';
  }

  /** Wraps a field problem of a command in a `BAD_REQUEST`. */
  static badRequest(message: string): ReliableControlError {
    return new ReliableControlError(ControlErrorCode.BadRequest, message);
  }

  /**
   * What a `ClientProxy.send()` rejected with, as an error: an error reply keeps its code, Nest's
   * generic reply for an unhandled server error is `INTERNAL`, a transport failure is `UNAVAILABLE`.
   */
  static fromRejection(rejection: unknown): ReliableControlError {
    if (rejection instanceof ReliableControlError) return rejection;
    if (isErrorReply(rejection)) return new ReliableControlError(rejection.code, rejection.message, rejection.details);
    if (rejection instanceof Error) return new ReliableControlError(ControlErrorCode.Unavailable, `control plane unreachable: ${rejection.message}`);
    const message = typeof (rejection as { message?: unknown })?.message === 'string' ? (rejection as { message: string }).message : String(rejection);
    return new ReliableControlError(ControlErrorCode.Internal, message);
  }

  /** The error reply body (JSON). */
  toReply(): ControlErrorReply {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}
