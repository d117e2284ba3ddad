import { Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { ErrorCode, MAX_SEND_BATCH, WireEvent, type SendReply } from '@reliable-socket/client/protocol';
import { dispatchToGatewayHandlers } from '../io/gateway-message.router.js';
import type { SocketListeners } from '../io/socket-listeners.js';
import { isMessageId } from './send-envelope.parser.js';
import { SendReplyBatcher } from './send-reply.batcher.js';

const refusal = (message: string): SendReply => ({ ok: false, error: { code: ErrorCode.BadRequest, message } });

/**
 * Serves `rs:send`, the packets in which the SDK sends its reliable messages, several at a time: each
 * message goes to the gateway handler of its event exactly as if it had been emitted alone with an ack
 * callback (the same `@Reliable()` path: envelope checks, guards and pipes, the exactly-once runner),
 * and its reply joins the socket's next `rs:reply` packet ({@link SendReplyBatcher}).
 *
 * A message without a valid id cannot be answered, so it is dropped. One for an event no gateway of the
 * namespace handles, or beyond {@link MAX_SEND_BATCH} in its packet, is answered with `BAD_REQUEST`.
 * Socket.IO's own per-packet hooks (`socket.use()`, `onAny`) see one `rs:send` packet, not its messages.
 */
@Injectable()
export class SendBatchListener {
  private readonly logger = new Logger('ReliableSocket');
  private readonly replies = new SendReplyBatcher();
  /** Registered on every socket by the namespace binder; shared, so nothing is allocated per socket. */
  readonly listeners: SocketListeners;

  constructor() {
    // An alias: the listener's own `this` is the socket.
    const batches = this;
    this.listeners = {
      [WireEvent.Send](this: Socket, items: unknown) {
        batches.serve(this, items);
      },
    };
  }

  private serve(socket: Socket, items: unknown): void {
    if (!Array.isArray(items)) {
      this.logger.debug(`ignored an ${WireEvent.Send} packet that is not an array, from user ${socket.data.user?.id}`);
      return;
    }
    for (let index = 0; index < items.length; index += 1) {
      const item: unknown = items[index];
      const [event, envelope] = Array.isArray(item) ? item : [];
      const id = (envelope as { id?: unknown } | null | undefined)?.id;
      if (!isMessageId(id)) {
        this.logger.debug(`dropped an ${WireEvent.Send} message without a valid id, from user ${socket.data.user?.id}`);
        continue;
      }
      const ack = (reply: unknown): void => this.replies.add(socket, id, reply);
      if (index >= MAX_SEND_BATCH) ack(refusal(`over ${MAX_SEND_BATCH} messages in one ${WireEvent.Send} packet`));
      else if (typeof event !== 'string' || !dispatchToGatewayHandlers(socket, event, [envelope, ack])) {
        ack(refusal(`no gateway handler for "${String(event)}" in namespace ${socket.nsp.name}`));
      }
    }
  }
}
