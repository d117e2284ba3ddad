import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseWsExceptionFilter } from '@nestjs/websockets';
import { toErrorReply } from './error-reply.mapper.js';

/** Index of the ack callback in the arguments of a WebSocket handler: [socket, data, ack, pattern]. */
const ACK_ARGUMENT = 2;

/**
 * Answers failures that happen before the reliable interceptor runs (a guard refusing the user) through
 * the ack, like every other outcome, instead of Nest's `exception` event, which a client waiting on its
 * ack would never see. Without an ack callback it falls back to Nest's behaviour.
 */
@Catch()
export class ReliableExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReliableSocket');
  private readonly fallback = new BaseWsExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const ack = host.getArgByIndex(ACK_ARGUMENT) as unknown;
    if (typeof ack === 'function') {
      ack(toErrorReply(exception, this.logger));
      return;
    }
    this.fallback.catch(exception, host);
  }
}
