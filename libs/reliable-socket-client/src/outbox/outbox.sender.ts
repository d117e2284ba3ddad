import { ErrorCode, type SendEnvelope, type SendReply } from '../protocol.js';
import type { OutboxMessage } from './outbox.store.js';
import { failure, isSendReply } from './send.guards.js';
import type { BackoffOptions } from '../reconnect/backoff.js';
import { RetryScheduler } from '../reconnect/retry.scheduler.js';

/** Spacing of resends while the server answers `UNAVAILABLE` (its store is briefly unreachable). */
const UNAVAILABLE_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5_000 };

/** How the sender reaches the server: in production a socket.io socket (see `socketTransport`). */
export interface SendTransport {
  /** Attempts are made only while connected: socket.io would otherwise buffer them and send them twice. */
  isConnected(): boolean;
  /**
   * Emits one attempt and resolves with the server's ack; rejects on ack timeout or disconnect. `size`
   * is the message's weight on the wire (characters of its stored JSON), for transports that pack
   * several attempts into one packet.
   */
  emit(event: string, envelope: SendEnvelope, ackTimeoutMs: number, size: number): Promise<unknown>;
}

export interface OutboxSenderOptions {
  /** At most this many messages await their ack at once. */
  maxInFlight: number;
  /** An attempt without an ack after this long is sent again on the same connection. */
  ackTimeoutMs: number;
  /** Backoff of resends after an `UNAVAILABLE` reply. @default { baseMs: 250, maxMs: 5_000 } */
  unavailableBackoff?: BackoffOptions;
}

/**
 * Sends queued messages through a window of `maxInFlight`, in send order, until each gets a reply.
 *
 * Resending is always safe, since the server runs a message once per id and answers a duplicate with
 * the first attempt's reply; so an attempt without an ack is simply repeated: on the same connection
 * after `ackTimeoutMs`, and on every (re)connect for all that are still queued. A reply (success or
 * error) is final: the message leaves the queue and `onReply` reports it. Error replies are never
 * retried: the server has recorded them as the message's outcome. The exception is `UNAVAILABLE`, which
 * the server records nothing for (its store was unreachable): sending pauses, the message keeps its
 * place, and everything queued is sent again after a jittered backoff, or at once on a new connection.
 *
 * @example
 * const sender = new OutboxSender(transport, { maxInFlight: 32, ackTimeoutMs: 10_000 }, onReply);
 * socket.on('connect', () => sender.connected());
 * socket.on('disconnect', () => sender.disconnected());
 * sender.push(storedMessage);
 */
export class OutboxSender {
  /** Messages awaiting a reply, in send order (Map keeps insertion order). */
  private readonly queue = new Map<string, OutboxMessage>();
  /** Messages with an attempt under way, and the connection generation it was made in. */
  private readonly inFlight = new Map<string, number>();
  /**
   * The queued messages with no attempt under way, in send order: the next to go, found without walking
   * the window on every push and reply. New messages join at the end; one whose attempt came to nothing
   * belongs further up, so it sets {@link stale} and the list is rebuilt from the queue before the next send.
   */
  private readonly ready = new Map<string, OutboxMessage>();
  private stale = false;
  /** Bumped on every connect and disconnect: an attempt of an older generation no longer holds a slot. */
  private generation = 0;
  /** Set while the server's store is unavailable: nothing is sent until the retry fires or a new connection. */
  private paused = false;
  private readonly resume: RetryScheduler;

  constructor(
    private readonly transport: SendTransport,
    private readonly options: OutboxSenderOptions,
    private readonly onReply: (message: OutboxMessage, reply: SendReply) => void,
    /** The `size` an attempt of the message is emitted with (see {@link SendTransport.emit}). */
    private readonly sizeOf: (message: OutboxMessage) => number = () => 0,
  ) {
    this.resume = new RetryScheduler(options.unavailableBackoff ?? UNAVAILABLE_BACKOFF, () => this.unpause());
  }

  /** Messages with an attempt under way (for tests and debugging). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Queues a message behind the others and sends it when the window has room. */
  push(message: OutboxMessage): void {
    this.queue.set(message.id, message);
    this.ready.set(message.id, message);
    this.pump();
  }

  /** Stops sending a message (cancelled); a reply to an attempt already made is ignored. */
  forget(id: string): void {
    this.queue.delete(id);
    this.ready.delete(id);
    if (this.inFlight.delete(id)) this.pump();
  }

  /** A new connection: attempts made on the previous one are void, so everything queued goes again, in order. */
  connected(): void {
    this.reset();
    this.resume.cancel();
    this.unpause();
  }

  /** Stops the pending resend timer (the client is being closed). */
  close(): void {
    this.resume.cancel();
  }

  /** Attempts under way will never be acked; the next {@link connected} resends them. */
  disconnected(): void {
    this.reset();
  }

  private reset(): void {
    this.generation += 1;
    this.inFlight.clear();
    this.stale = true;
  }

  /** Fills the window with the oldest messages that have no attempt under way. */
  private pump(): void {
    if (this.paused || !this.transport.isConnected()) return;
    if (this.stale) this.rebuildReady();
    // Each attempt removes its message from `ready`, which a Map's iteration allows.
    for (const message of this.ready.values()) {
      if (this.inFlight.size >= this.options.maxInFlight) return;
      this.attempt(message);
    }
  }

  private rebuildReady(): void {
    this.stale = false;
    this.ready.clear();
    for (const message of this.queue.values()) {
      if (!this.inFlight.has(message.id)) this.ready.set(message.id, message);
    }
  }

  /** An attempt will bring no reply, and the message is not sent again at once: it waits for the next pump. */
  private requeue(id: string): void {
    this.inFlight.delete(id);
    this.stale = true;
  }

  private attempt(message: OutboxMessage): void {
    const generation = this.generation;
    this.inFlight.set(message.id, generation);
    this.ready.delete(message.id);
    const envelope: SendEnvelope = { id: message.id, sid: message.sid, seq: message.seq, data: message.data };
    let ack: Promise<unknown>;
    try {
      ack = this.transport.emit(message.event, envelope, this.options.ackTimeoutMs, this.sizeOf(message));
    } catch (cause) {
      // A synchronous throw (the event name is refused) would throw again on every retry: final.
      ack = Promise.resolve(failure(ErrorCode.BadRequest, `cannot emit "${message.event}": ${cause instanceof Error ? cause.message : String(cause)}`));
    }
    ack.then(
      (reply) => this.replied(message, reply),
      () => this.unanswered(message, generation),
    );
  }

  private replied(message: OutboxMessage, reply: unknown): void {
    if (!this.queue.has(message.id)) return; // a reply already came
    if (isSendReply(reply) && !reply.ok && reply.error.code === ErrorCode.Unavailable) {
      this.requeue(message.id);
      this.paused = true;
      this.resume.schedule();
      return;
    }
    // Whatever attempt it answers, the reply is the server's outcome for this id.
    this.inFlight.delete(message.id);
    this.ready.delete(message.id);
    this.queue.delete(message.id);
    this.resume.reset();
    this.onReply(message, isSendReply(reply) ? reply : failure(ErrorCode.BadRequest, `malformed reply to "${message.event}" (is its handler @Reliable()?)`));
    this.pump();
  }

  private unpause(): void {
    this.paused = false;
    this.pump();
  }

  private unanswered(message: OutboxMessage, generation: number): void {
    // A (re)connect since the attempt has already put the message back in line.
    if (this.inFlight.get(message.id) !== generation) return;
    if (this.transport.isConnected() && !this.paused) this.attempt(message);
    else this.requeue(message.id);
  }
}
