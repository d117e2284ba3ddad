import type { WireMessage } from '../protocol.js';

/** Where a delivered message comes from. */
export interface MessageMeta {
  stream: string;
  offset: number;
}

/** An application handler; a returned promise is awaited before the message counts as handled. */
export type MessageHandler<T = unknown> = (data: T, meta: MessageMeta) => void | Promise<void>;

/**
 * Application handlers by event name. Dispatching awaits every handler of the event together; one
 * that throws is reported and does not stop the others, and the message still counts as handled:
 * redelivering it would run the handlers that succeeded a second time.
 */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Set<MessageHandler<never>>>();

  constructor(private readonly onHandlerError: (error: unknown, message: WireMessage, meta: MessageMeta) => void) {}

  on<T>(event: string, handler: MessageHandler<T>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as MessageHandler<never>);
    return () => this.off(event, handler);
  }

  off<T>(event: string, handler: MessageHandler<T>): void {
    const set = this.handlers.get(event);
    set?.delete(handler as MessageHandler<never>);
    if (set?.size === 0) this.handlers.delete(event);
  }

  /** Runs the handlers of `message.event`; resolves when all have settled. Never rejects. */
  async dispatch(stream: string, message: WireMessage): Promise<void> {
    const set = this.handlers.get(message.event);
    // A stale message (a campaign past its expiry) still advances the cursor, but nobody acts on it.
    if (!set || (message.expiresAt !== undefined && Date.now() > message.expiresAt)) return;
    const meta: MessageMeta = { stream, offset: message.offset };
    // The copy keeps a handler that unsubscribes (or subscribes another) from changing this delivery.
    const pending: Promise<void>[] = [];
    for (const handler of [...set]) {
      // Handlers that return synchronously are the common case; only promises are awaited, which keeps
      // per-message cost low on replays of thousands of messages.
      try {
        const returned = (handler as MessageHandler<unknown>)(message.data, { ...meta });
        if (typeof (returned as PromiseLike<void> | undefined)?.then === 'function') {
          pending.push(Promise.resolve(returned).catch((error: unknown) => this.onHandlerError(error, message, meta)));
        }
      } catch (error) {
        this.onHandlerError(error, message, meta);
      }
    }
    if (pending.length > 0) await Promise.all(pending);
  }
}
