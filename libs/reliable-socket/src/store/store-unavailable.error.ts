import { ErrorCode } from '@reliable-socket/client/protocol';

/**
 * The store (Redis) could not be reached within `redisTimeoutMs`. Thrown by `ReliableEmitter` emits and
 * turned into an `UNAVAILABLE` reply by `@Reliable()` handlers, which the client SDK retries.
 *
 * What it promises: nothing was reported stored. When Redis was unreachable before the command left, the
 * command was never sent and never runs later. When the connection died with the command already sent
 * (or Redis stopped answering), the outcome is unknown: the write may have landed. Retrying with the same
 * idempotency key is always safe (a `@Reliable()` handler's emits take theirs from the message id).
 *
 * @example
 * try { await emitter.to(userId).emit('invoice', invoice, { idempotencyKey: invoice.id }); }
 * catch (error) { if (error instanceof StoreUnavailableError) scheduleRetry(invoice); else throw error; }
 */
export class StoreUnavailableError extends Error {
  readonly code = ErrorCode.Unavailable;

  constructor(message = 'the message store (Redis) is unavailable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
