import { applyDecorators, SetMetadata, UseFilters } from '@nestjs/common';
import { RELIABLE_HANDLER_METADATA } from '../reliable-socket.constants.js';
import { ReliableExceptionFilter } from './reliable-exception.filter.js';
import type { ReliableHandlerOptions } from './reliable-handler.options.js';

/**
 * Makes a `@SubscribeMessage` handler exactly-once: clients send with `client.send(event, data)`, which
 * retries until acknowledged; the handler runs once per message id across all nodes, and its return
 * value (or its error) is the ack every attempt receives. The handler itself needs no change; its
 * guards, interceptors and pipes run once per message too, and see the application data.
 *
 * Put it above `@UseFilters()`: the handler's errors are the message's recorded outcome. It cannot be
 * combined with `@Ack()`.
 *
 * @example
 * @Reliable()
 * @SubscribeMessage('transfer')
 * async transfer(@CurrentUser() user: AuthenticatedUser, @MessageBody() body: TransferDto) {
 *   return this.ledger.transfer(user.id, body); // runs once, even if the client retried on another node
 * }
 *
 * @Reliable({ ordered: true }) // one sender's messages of this event are processed in send order
 */
export function Reliable(options: ReliableHandlerOptions = {}): MethodDecorator {
  return applyDecorators(SetMetadata(RELIABLE_HANDLER_METADATA, options), UseFilters(ReliableExceptionFilter));
}
