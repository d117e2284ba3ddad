import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseWsExceptionFilter } from '@nestjs/websockets';
import { toErrorReply } from './error-reply.mapper.js';
import { HandlerFailureCapture } from './handler-failure.capture.js';

/** Index of the ack callback in the arguments of a WebSocket handler: [socket, data, ack, pattern]. */
const ACK_ARGUMENT = 2;

/**
 * Applied by `@Reliable()`: hands what the handler, its guards or its pipes threw to the exactly-once
 * runner (through the {@link HandlerFailureCapture} in the ack's place), which records it as the
 * message's outcome and answers every attempt with it. Outside a reliable dispatch it answers through
 * the ack, or falls back to Nest's `exception` event when there is none.
 */
@Catch()
export class ReliableExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReliableSocket');
  private readonly fallback = new BaseWsExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const ack = host.getArgByIndex(ACK_ARGUMENT) as unknown;
    if (ack instanceof HandlerFailureCapture) ack.fail(exception);
    else if (typeof ack === 'function') ack(toErrorReply(exception, this.logger));
    else this.fallback.catch(exception, host);
  }
}
