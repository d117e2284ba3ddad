import type { Socket } from 'socket.io-client';
import { MAX_SEND_BATCH, WireEvent, type SendBatchItem, type SendEnvelope } from '../protocol.js';
import { DeadlineTimer } from './deadline.timer.js';
import type { SendTransport } from './outbox.sender.js';

/**
 * Characters of message JSON per `rs:send` packet at most; a message larger than this goes alone. Even
 * with every character 3 bytes of UTF-8 a packet stays under Socket.IO's default 1 MB `maxHttpBufferSize`,
 * over which the server would close the connection (and the resend after the reconnect would too).
 */
export const MAX_BATCH_CHARS = 256 * 1024;

/** An attempt awaiting its reply. */
interface Attempt {
  resolve(reply: unknown): void;
  reject(error: Error): void;
  ackTimeoutMs: number;
}

/** The next macrotask: after the microtasks that may still add attempts (a burst of replies answered in a loop). */
const nextTurn: (run: () => void) => void =
  typeof setImmediate === 'function' ? (run) => void setImmediate(run) : (run) => void setTimeout(run, 0);

/**
 * The {@link SendTransport} of a socket.io socket. The attempts made during one event-loop turn leave
 * as one `rs:send` packet and their replies come back as `rs:reply` packets, so a window of messages
 * costs a few packets instead of one per message and per reply: Socket.IO's cost per packet (encoding,
 * framing, an ack callback and its timer) was most of what a reliable send cost. Nothing waits longer
 * than the current turn.
 *
 * An attempt fails when its `ackTimeoutMs` passes without a reply (one timer per distinct timeout, see
 * {@link DeadlineTimer}) and when the socket disconnects. Attempts are only made while connected: a
 * batch still waiting for its turn when the connection drops fails rather than being left to
 * socket.io's buffer, which would send it again on the next connection beside the sender's own resend.
 */
export class SocketSendTransport implements SendTransport {
  private readonly attempts = new Map<string, Attempt>();
  private readonly deadlines = new DeadlineTimer<string>((id) => this.fail(id, 'operation has timed out'));
  private batch: SendBatchItem[] = [];
  private batchChars = 0;
  private flushScheduled = false;

  constructor(private readonly socket: Socket) {
    socket.on(WireEvent.Reply, (replies: unknown) => this.replied(replies));
    socket.on('disconnect', () => {
      for (const id of [...this.attempts.keys()]) this.fail(id, 'disconnected');
    });
  }

  isConnected(): boolean {
    return this.socket.connected;
  }

  emit(event: string, envelope: SendEnvelope, ackTimeoutMs: number, size: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      // A second attempt of the same id replaces the first, which then ends as unanswered.
      this.fail(envelope.id, 'superseded by a new attempt');
      this.attempts.set(envelope.id, { resolve, reject, ackTimeoutMs });
      this.deadlines.add(envelope.id, ackTimeoutMs);
      if (this.batch.length >= MAX_SEND_BATCH || (this.batch.length > 0 && this.batchChars + size > MAX_BATCH_CHARS)) this.flush();
      this.batch.push([event, envelope]);
      this.batchChars += size;
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      nextTurn(() => {
        this.flushScheduled = false;
        this.flush();
      });
    });
  }

  private flush(): void {
    const items = this.batch;
    if (items.length === 0) return;
    this.batch = [];
    this.batchChars = 0;
    if (this.socket.connected) this.socket.emit(WireEvent.Send, items);
    else for (const [, { id }] of items) this.fail(id, 'disconnected');
  }

  private replied(replies: unknown): void {
    if (!Array.isArray(replies)) return;
    for (const item of replies) {
      if (!Array.isArray(item)) continue;
      const attempt = this.take(item[0]);
      attempt?.resolve(item[1]);
    }
  }

  private fail(id: string, reason: string): void {
    this.take(id)?.reject(new Error(reason));
  }

  private take(id: unknown): Attempt | undefined {
    if (typeof id !== 'string') return undefined;
    const attempt = this.attempts.get(id);
    if (!attempt) return undefined;
    this.attempts.delete(id);
    this.deadlines.delete(id, attempt.ackTimeoutMs);
    return attempt;
  }
}
