import type { AckEnvelope } from '../protocol.js';

export interface AckBatcherOptions {
  /** How long acks accumulate before they are sent. */
  intervalMs: number;
  /** Send at once when this many messages are waiting for an ack. Default 100. */
  threshold?: number;
  isConnected(): boolean;
  send(envelope: AckEnvelope): void;
}

/**
 * Cumulative, batched acknowledgements. Acking offset N acknowledges everything up to N, so only the
 * latest offset per stream is kept and a burst of messages costs one `rs:ack`. Acks recorded while
 * disconnected wait for {@link flush} on the next connect.
 */
export class AckBatcher {
  private readonly pending = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private unacked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly threshold: number;

  constructor(private readonly options: AckBatcherOptions) {
    this.threshold = options.threshold ?? 100;
  }

  /**
   * Records that `stream` was handled up to `offset`. The latest call wins: cursors only move forward
   * within an epoch, and after an epoch reset the lower new offset is the truth.
   */
  record(stream: string, offset: number): void {
    if (offset < 1) return;
    this.pending.set(stream, offset);
    this.unacked += 1;
    if (this.unacked >= this.threshold) this.flush();
    else if (this.timer === undefined && this.options.isConnected()) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.options.intervalMs);
    }
  }

  /** Sends what is pending, if connected; otherwise keeps it for the next flush. */
  flush(): void {
    this.cancelTimer();
    if (this.pending.size === 0 || !this.options.isConnected()) return;
    const acks: Record<string, number> = {};
    for (const [stream, offset] of this.pending) {
      if (this.sent.get(stream) !== offset) acks[stream] = offset;
    }
    this.pending.clear();
    this.unacked = 0;
    if (Object.keys(acks).length === 0) return;
    this.options.send({ acks });
    for (const [stream, offset] of Object.entries(acks)) this.sent.set(stream, offset);
  }

  /** Stops the timer; pending acks are kept. */
  stop(): void {
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
