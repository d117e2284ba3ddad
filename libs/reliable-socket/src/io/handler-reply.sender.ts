import type { Logger } from '@nestjs/common';
import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { Socket } from 'socket.io';

/** The ack callback Socket.IO passes as a message's last argument, when the client asked for one. */
export type ClientAck = (...args: unknown[]) => void;

/** A message handler as Nest binds it to one socket: the gateway method behind guards, pipes, interceptors and filters. */
export type BoundHandler = (data: unknown, ack?: ClientAck) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Sends what a gateway message handler returned, with the rules of Nest's `IoAdapter`, without an
 * Observable pipeline per message: the result may be a value, a Promise or an Observable (each value it
 * emits counts); `null`/`undefined` send nothing; `{ event, data }` is emitted back as `event`; anything
 * else answers the client's ack, unless the handler takes the ack itself (`@Ack()`). What settles after
 * the socket disconnected is dropped, and a live Observable is unsubscribed at the disconnect, as Nest's
 * `takeUntil(disconnect$)` does. Errors have already been through the handler's exception filters; one
 * that a filter rethrows is logged, as by Nest (a reply that throws is logged too, where Nest's pipeline
 * would rethrow it asynchronously).
 */
export class HandlerReplySender {
  /** Observable results still running, by socket (only while there are some). */
  private readonly live = new WeakMap<Socket, Set<Subscription>>();
  /** `disconnect` listener of the sockets that have live results; the socket is its `this`. */
  private readonly stopLive: (this: Socket) => void;

  constructor(private readonly logger: Pick<Logger, 'error'>) {
    // An alias: the listener's own `this` is the socket.
    const sender = this;
    this.stopLive = function () {
      for (const subscription of [...(sender.live.get(this) ?? [])]) subscription.unsubscribe();
    };
  }

  /** Runs `handler` for one message of `socket` and sends its result. */
  handle(socket: Socket, handler: BoundHandler, data: unknown, ack: ClientAck | undefined, ackHandledManually: boolean): void {
    let result: unknown;
    try {
      result = handler(data, ack);
    } catch (error) {
      this.logger.error(error);
      return;
    }
    if (!isThenable(result)) {
      this.settled(socket, result, ack, ackHandledManually);
      return;
    }
    result.then(
      (value) => this.settled(socket, value, ack, ackHandledManually),
      (error: unknown) => this.logger.error(error),
    );
  }

  private settled(socket: Socket, value: unknown, ack: ClientAck | undefined, ackHandledManually: boolean): void {
    if (!socket.connected) return;
    if (isObservable(value)) this.follow(socket, value, ack, ackHandledManually);
    else this.reply(socket, value, ack, ackHandledManually);
  }

  /**
   * Replies with every value; the subscription lives until the Observable ends or the socket disconnects.
   * A socket with live results has one extra `disconnect` listener (shared), however many there are.
   */
  private follow(socket: Socket, values: Observable<unknown>, ack: ClientAck | undefined, ackHandledManually: boolean): void {
    const subscription = values.subscribe({
      next: (value) => this.reply(socket, value, ack, ackHandledManually),
      error: (error: unknown) => this.logger.error(error),
    });
    if (subscription.closed) return;
    let live = this.live.get(socket);
    if (!live) {
      live = new Set();
      this.live.set(socket, live);
      socket.on('disconnect', this.stopLive);
    }
    live.add(subscription);
    subscription.add(() => this.forget(socket, subscription));
  }

  private forget(socket: Socket, subscription: Subscription): void {
    const live = this.live.get(socket);
    if (!live?.delete(subscription) || live.size > 0) return;
    this.live.delete(socket);
    socket.off('disconnect', this.stopLive);
  }

  private reply(socket: Socket, response: unknown, ack: ClientAck | undefined, ackHandledManually: boolean): void {
    if (response === undefined || response === null || !socket.connected) return;
    try {
      const reply = response as { event?: unknown; data?: unknown };
      if (reply.event) socket.emit(reply.event as string, reply.data);
      else if (!ackHandledManually && typeof ack === 'function') ack(response);
    } catch (error) {
      this.logger.error(error);
    }
  }
}
