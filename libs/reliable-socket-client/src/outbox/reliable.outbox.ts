import { ErrorCode, type SendReply } from '../protocol.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import type { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import type { StorageLike } from '../storage/storage-like.interface.js';
import { storageKeys } from '../storage/storage.keys.js';
import { AfterWriteQueue } from './after-write.queue.js';
import { DeadlineTimer } from './deadline.timer.js';
import { OutboxSender, type OutboxSenderOptions, type SendTransport } from './outbox.sender.js';
import { OutboxStore, type OutboxMessage, type PendingMessage } from './outbox.store.js';
import { ReliableSendError } from './send.error.js';
import { invalidEventReason, toJsonText } from './send.guards.js';

/** Options of one `client.send()`. */
export interface SendOptions {
  /** Reject with `TIMEOUT` after this long without an ack; the message stays queued. Default: the client's `sendTimeoutMs`. */
  timeoutMs?: number;
}

/** The client options the outbox uses (see `ReliableClientOptions`). */
export interface ReliableOutboxOptions extends OutboxSenderOptions {
  storage: StorageLike;
  /** Base of the storage keys: the outbox is `${storageKey}:outbox`, the sender id `${storageKey}:sid`. */
  storageKey: string;
  /** Default of {@link SendOptions.timeoutMs}; undefined: wait until acked. */
  sendTimeoutMs: number | undefined;
}

/** The promise of a `send()` awaiting its outcome. */
interface Waiter {
  resolve(result: unknown): void;
  reject(error: ReliableSendError): void;
  event: string;
  /** The timeout its deadline was set with; undefined: none. */
  timeoutMs: number | undefined;
}

/** What waits for a write: a new message to emit, or a final reply to tell once the message is removed. */
interface Stored {
  message: OutboxMessage;
  reply?: SendReply;
}

/**
 * Reliable client → server messages: `send()` stores a message in the {@link OutboxStore} before the
 * {@link OutboxSender} emits it, and settles its promise with the server's reply once the message has
 * left the stored outbox. Messages restored from storage (after a reload) have no promise: their
 * outcome goes to the lifecycle signals `sent` and `error`.
 */
export class ReliableOutbox {
  private readonly store: OutboxStore;
  private readonly sender: OutboxSender;
  private readonly waiters = new Map<string, Waiter>();
  /** The `timeoutMs` of the waiting sends: a timer per distinct timeout, not one per send. */
  private readonly deadlines = new DeadlineTimer<string>((id) => this.timedOut(id));
  /** New messages wait here until they are stored, replies until the removal of their message is. */
  private readonly stored: AfterWriteQueue<Stored>;
  private readonly outboxKey: string;
  private readonly loaded: Promise<void>;
  /** Set once {@link loaded} has resolved: `send()` then queues at once, without waiting for a promise. */
  private ready = false;
  private closed = false;

  constructor(
    private readonly options: ReliableOutboxOptions,
    transport: SendTransport,
    private readonly lifecycle: TypedEmitter<LifecycleEvents>,
  ) {
    const keys = storageKeys(options.storageKey);
    this.outboxKey = keys.outbox;
    this.store = new OutboxStore(options.storage, keys, (message, cause) => this.report(message, cause));
    this.sender = new OutboxSender(transport, options, (message, reply) => this.settle(message, reply), ({ id }) => this.store.sizeOf(id));
    this.stored = new AfterWriteQueue(() => this.store.save(), (items) => this.release(items), (cause) => this.writeFailed(cause));
    this.loaded = this.store.load().then(() => {
      this.ready = true;
      for (const message of this.store.list()) this.sender.push(message);
    });
  }

  /** See `ReliableClient.send`. */
  send<T>(event: string, data: unknown, options: SendOptions = {}): Promise<T> {
    const invalid = invalidEventReason(event);
    if (invalid) return Promise.reject(new ReliableSendError(ErrorCode.BadRequest, invalid, { event }));
    let json: string;
    try {
      json = toJsonText(data);
    } catch (cause) {
      return Promise.reject(new ReliableSendError(ErrorCode.BadRequest, `the data of "${event}" cannot be stored as JSON`, { event, cause }));
    }
    const timeoutMs = options.timeoutMs ?? this.options.sendTimeoutMs;
    return this.ready ? this.enqueue<T>(event, json, timeoutMs) : this.loaded.then(() => this.enqueue<T>(event, json, timeoutMs));
  }

  /** Messages awaiting their ack, in send order, including those restored from storage. */
  async pending(): Promise<PendingMessage[]> {
    await this.loaded;
    return this.store.pending();
  }

  /** Drops a queued message; its `send()` rejects with `CANCELLED`. False if unknown or already acked. */
  async cancel(id: string): Promise<boolean> {
    await this.loaded;
    if (!this.store.remove(id)) return false;
    this.sender.forget(id);
    this.takeWaiter(id)?.reject(new ReliableSendError(ErrorCode.Cancelled, `message ${id} was cancelled`, { id }));
    await this.persist();
    return true;
  }

  connected(): void {
    this.sender.connected();
  }

  disconnected(): void {
    this.sender.disconnected();
  }

  /** Undoes {@link close}: `send()` is accepted again. */
  reopen(): void {
    this.closed = false;
  }

  /**
   * Refuses further sends and rejects the waiting `send()` promises with `UNAVAILABLE`; the messages
   * stay stored for a later client over the same storage. Resolves once the outbox is written.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.sender.close();
    for (const [id, waiter] of [...this.waiters]) {
      this.takeWaiter(id);
      waiter.reject(new ReliableSendError(ErrorCode.Unavailable, `the client was closed before message ${id} was acked; it stays in the outbox`, { id }));
    }
    await this.loaded;
    await this.store.flushed();
  }

  private enqueue<T>(event: string, json: string, timeoutMs: number | undefined): Promise<T> {
    if (this.closed) return Promise.reject(new ReliableSendError(ErrorCode.Unavailable, 'the client is closed', { event }));
    const message = this.store.add(event, json);
    const outcome = this.wait<T>(message, timeoutMs);
    // Emitted only once stored, so a reload right after the emit still finds it. A failed write is
    // reported and the message is sent anyway: it is then reliable for this page's life only.
    this.stored.add({ message });
    return outcome;
  }

  private wait<T>({ id, event }: OutboxMessage, timeoutMs: number | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve: resolve as (result: unknown) => void, reject, event, timeoutMs });
      this.deadlines.add(id, timeoutMs);
    });
  }

  /** The message stays queued: only the wait of its `send()` is over. */
  private timedOut(id: string): void {
    const waiter = this.takeWaiter(id);
    if (!waiter) return;
    const { event, timeoutMs } = waiter;
    waiter.reject(new ReliableSendError(ErrorCode.Timeout, `no ack for "${event}" (${id}) within ${timeoutMs} ms; it stays queued until acked or cancelled`, { id, event }));
  }

  private takeWaiter(id: string): Waiter | undefined {
    const waiter = this.waiters.get(id);
    if (!waiter) return undefined;
    this.waiters.delete(id);
    this.deadlines.delete(id, waiter.timeoutMs);
    return waiter;
  }

  /** A final reply: the message leaves the stored outbox, then its outcome is told. */
  private settle(message: OutboxMessage, reply: SendReply): void {
    this.store.remove(message.id);
    this.stored.add({ message, reply });
  }

  /** A write has finished: its new messages go out (unless cancelled meanwhile), its replies are told. */
  private release(items: Stored[]): void {
    for (const { message, reply } of items) {
      if (reply) this.tell(message, reply);
      else if (this.store.has(message.id)) this.sender.push(message);
    }
  }

  private tell({ id, event }: OutboxMessage, reply: SendReply): void {
    const waiter = this.takeWaiter(id);
    if (reply.ok) {
      waiter?.resolve(reply.result);
      this.lifecycle.emit('sent', { id, event, result: reply.result });
      return;
    }
    const { code, message: text, details } = reply.error;
    const error = new ReliableSendError(code, text, { id, event, details });
    // With a promise to reject, the rejection is the report; otherwise (restored, timed out) the lifecycle is.
    if (waiter) waiter.reject(error);
    else this.lifecycle.emit('error', { code, message: `"${event}" (${id}) failed: ${text}`, id, cause: error });
  }

  /** Writes the outbox; a failure is reported, never thrown: the in-memory outbox goes on. */
  private persist(): Promise<void> {
    return this.store.save().catch((cause: unknown) => this.writeFailed(cause));
  }

  private writeFailed(cause: unknown): void {
    this.report(`cannot write ${this.outboxKey}`, cause);
  }

  private report(message: string, cause?: unknown): void {
    this.lifecycle.emit('error', { message, cause });
  }
}
