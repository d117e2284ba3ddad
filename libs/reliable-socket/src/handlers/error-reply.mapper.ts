import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, type SendReply } from '@reliable-socket/client/protocol';
import { StoreUnavailableError } from '../store/store-unavailable.error.js';

/** Code of an application `WsException` that names none. */
export const APPLICATION_ERROR_CODE = 'WS_ERROR';

/** Nest's message when a guard refuses a WebSocket handler. */
const GUARD_REFUSAL = 'Forbidden resource';

const HTTP_CODES: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.BadRequest,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.Unauthenticated,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
};

const failure = (code: string, message: string, details?: unknown): SendReply =>
  details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };

function fromWsException(exception: WsException): SendReply {
  const error = exception.getError();
  if (typeof error === 'string') return failure(error === GUARD_REFUSAL ? ErrorCode.Forbidden : APPLICATION_ERROR_CODE, error);
  const { code, message, details } = (error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  return failure(typeof code === 'string' ? code : APPLICATION_ERROR_CODE, typeof message === 'string' ? message : exception.message, details);
}

function fromHttpException(exception: HttpException): SendReply {
  const status = exception.getStatus();
  const response = exception.getResponse() as string | { message?: unknown };
  const detail = typeof response === 'object' ? response.message : undefined;
  // ValidationPipe puts the list of violations in `message`; it becomes `details`.
  if (Array.isArray(detail)) return failure(HTTP_CODES[status] ?? ErrorCode.BadRequest, 'Validation failed', detail);
  if (status >= 500) return failure(ErrorCode.Internal, 'Internal error');
  return failure(HTTP_CODES[status] ?? `HTTP_${status}`, exception.message);
}

/**
 * Turns what a handler (or its guards and pipes) threw into the reply the client's `send()` rejects
 * with. Application errors keep their code and message; anything unexpected becomes `INTERNAL` with
 * nothing internal leaked, and is logged here instead.
 */
export function toErrorReply(exception: unknown, logger: Logger): SendReply {
  if (exception instanceof WsException) return fromWsException(exception);
  if (exception instanceof HttpException) return fromHttpException(exception);
  // Transient: never recorded as the message's outcome, and retried by the SDK.
  if (exception instanceof StoreUnavailableError) return failure(ErrorCode.Unavailable, 'the message store is unavailable; retry later');
  logger.error(`reliable handler failed: ${(exception as Error)?.stack ?? exception}`);
  return failure(ErrorCode.Internal, 'Internal error');
}
