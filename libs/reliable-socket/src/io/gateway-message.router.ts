import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { GatewayReliability } from '../handlers/reliable-handlers.explorer.js';
import type { ReliableRoutes } from '../handlers/reliable-message.dispatcher.js';
import type { BoundHandler, ClientAck, HandlerReplySender } from './handler-reply.sender.js';
import type { SocketListener } from './socket-listeners.js';

/** The listeners routers attach, told apart from the other listeners of a socket's events. */
const routerListeners = new WeakSet<SocketListener>();

/**
 * Hands `args` to the gateway handlers of `event` on `socket`, as if the client had emitted `event`
 * with them; false, with nothing run, when no gateway handles `event` (listeners other than the
 * routers', such as the library's own or `disconnect`, are never run).
 */
export function dispatchToGatewayHandlers(socket: Socket, event: string, args: unknown[]): boolean {
  let handled = false;
  for (const listener of socket.listeners(event)) {
    if (!routerListeners.has(listener as SocketListener)) continue;
    (listener as SocketListener).apply(socket, args);
    handled = true;
  }
  return handled;
}

/** Splits a message's arguments into data and ack: the adapter's `mapPayload`, so a subclass's override applies. */
export type PayloadMapper = (payload: unknown) => { data: unknown; ack?: unknown };

/**
 * Routes the messages of one gateway's sockets to its handlers. Nest's `IoAdapter` builds Observables per
 * socket and per handler (a `fromEvent` pipeline each, plus a shared disconnect stream) that an idle
 * connection holds for its whole life. Here every socket gets one plain listener per handler, shared by
 * all sockets of the gateway (the socket is its `this`), and what is kept per socket is only the
 * handlers Nest bound to it, in a weak map. Messages of `@Reliable()` handlers go to the reliable routes.
 */
export class GatewayMessageRouter {
  /** The gateway's messages, in Nest's order, learnt from the first socket. */
  private messages?: readonly unknown[];
  private ackHandledManually: readonly boolean[] = [];
  private reliability: GatewayReliability = [];
  private listeners: readonly SocketListener[] = [];
  private readonly handlersOf = new WeakMap<Socket, readonly BoundHandler[]>();

  constructor(
    private readonly replies: HandlerReplySender,
    private readonly mapPayload: PayloadMapper,
    private readonly reliable: ReliableRoutes,
  ) {}

  /**
   * Serves `handlers` (bound by Nest to `socket`) on `socket`. False, with nothing done, when they are not
   * the messages this router serves (it then belongs to another gateway).
   */
  attach(socket: Socket, handlers: readonly MessageMappingProperties[]): boolean {
    if (handlers.length === 0) return true;
    if (!this.serves(handlers)) return false;
    this.handlersOf.set(socket, handlers.map((handler) => handler.callback as BoundHandler));
    for (let index = 0; index < handlers.length; index += 1) socket.on(handlers[index].message as string, this.listeners[index]);
    return true;
  }

  private serves(handlers: readonly MessageMappingProperties[]): boolean {
    if (!this.messages) {
      this.messages = handlers.map((handler) => handler.message);
      this.ackHandledManually = handlers.map((handler) => handler.isAckHandledManually);
      this.reliability = this.reliable.reliabilityOf(this.messages);
      this.listeners = handlers.map((_, index) => this.listenerFor(index));
      return true;
    }
    const messages = this.messages;
    return handlers.length === messages.length && handlers.every((handler, i) => handler.message === messages[i] && handler.isAckHandledManually === this.ackHandledManually[i]);
  }

  private listenerFor(index: number): SocketListener {
    // An alias: the listener's own `this` is the socket.
    const router = this;
    const listener = function (this: Socket, ...args: unknown[]) {
      router.dispatch(this, index, args);
    };
    routerListeners.add(listener);
    return listener;
  }

  private dispatch(socket: Socket, index: number, args: unknown[]): void {
    const handlers = this.handlersOf.get(socket);
    if (!handlers || !socket.connected) return;
    // As rxjs fromEvent hands them to Nest: several arguments as an array, a single one as itself.
    const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
    const reliable = this.reliability[index];
    if (reliable) this.reliable.dispatch(socket, handlers[index], this.messages![index] as string, data, ack as ClientAck | undefined, reliable);
    else this.replies.handle(socket, handlers[index], data, ack as ClientAck | undefined, this.ackHandledManually[index]);
  }
}
