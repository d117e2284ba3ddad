import { Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { SendReply } from '@reliable-socket/client/protocol';
import type { AuthenticatedUser } from '../interfaces/reliable-socket-options.interface.js';
import type { BoundHandler, ClientAck } from '../io/handler-reply.sender.js';
import type { NamespaceOption } from '../io/gateway-metadata.js';
import { toErrorReply } from './error-reply.mapper.js';
import { ExactlyOnceRunner } from './exactly-once.runner.js';
import { invokeBoundHandler } from './handler-failure.capture.js';
import { runInHandlerContext } from './handler.context.js';
import { ReliableHandlersExplorer, type GatewayReliability } from './reliable-handlers.explorer.js';
import type { ResolvedReliableHandlerOptions } from './reliable-handler.options.js';
import { parseSendEnvelope } from './send-envelope.parser.js';

/** What the adapter's message router needs to serve the `@Reliable()` handlers of one gateway. */
export interface ReliableRoutes {
  /** Per handler, in Nest's order, its options if it is `@Reliable()`. */
  reliabilityOf(messages: readonly unknown[]): GatewayReliability;
  /** Serves one message of a `@Reliable()` handler; the reply goes to `ack`. */
  dispatch(socket: Socket, handler: BoundHandler, event: string, payload: unknown, ack: ClientAck | undefined, options: ResolvedReliableHandlerOptions): void;
}

/**
 * The engine of `@Reliable()`, called by the adapter's message router for the handlers it marks:
 * unwraps the client's envelope so that the handler (its guards and pipes too) sees the application
 * data, runs it exactly once per message id through Nest's bound handler, and answers every attempt
 * with the first attempt's reply as the ack.
 *
 * It runs in front of Nest's handler rather than as one of its interceptors, whose Observable chain
 * cost more per message than the rest of the exactly-once path; guards, interceptors, pipes and the
 * handler's own filters all still run, inside the once-only section.
 */
@Injectable()
export class ReliableMessageDispatcher {
  private readonly logger = new Logger('ReliableSocket');

  constructor(
    private readonly runner: ExactlyOnceRunner,
    private readonly explorer: ReliableHandlersExplorer,
  ) {}

  /** The routes of the gateways declared with `namespace`. */
  routesFor(namespace: NamespaceOption): ReliableRoutes {
    return {
      reliabilityOf: (messages) => this.explorer.reliabilityOf(namespace, messages),
      dispatch: (socket, handler, event, payload, ack, options) => this.dispatch(socket, handler, event, payload, ack, options),
    };
  }

  dispatch(socket: Socket, handler: BoundHandler, event: string, payload: unknown, ack: ClientAck | undefined, options: ResolvedReliableHandlerOptions): void {
    const parsed = parseSendEnvelope(payload, options.maxPayloadBytes);
    if ('error' in parsed) {
      answer(socket, ack, { ok: false, error: parsed.error });
      return;
    }
    const { id, sid, seq, data } = parsed.envelope;
    const userId = (socket.data.user as AuthenticatedUser).id;
    const key = { namespace: socket.nsp.name, userId, event, messageId: id };
    this.runner
      .run({
        key,
        options,
        sequence: options.ordered ? { key: { namespace: key.namespace, userId, senderId: sid, event }, seq } : undefined,
        invoke: () => runInHandlerContext(key, () => invokeBoundHandler(handler, data)),
      })
      .then(
        (reply) => answer(socket, ack, reply),
        (error: unknown) => answer(socket, ack, toErrorReply(error, this.logger)),
      );
  }
}

/** An answer to a socket gone is dropped, as Nest drops a handler's late result. */
function answer(socket: Socket, ack: ClientAck | undefined, reply: SendReply): void {
  if (typeof ack === 'function' && socket.connected) ack(reply);
}
