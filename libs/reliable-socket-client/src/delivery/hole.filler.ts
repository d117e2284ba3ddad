import type { BatchEnvelope, ErrorReply, FetchRequest } from '../protocol.js';
import { RetryScheduler } from '../reconnect/retry.scheduler.js';
import type { SequencerContext } from './sequencer.context.js';

/** The stream a {@link HoleFiller} works for. */
export interface HoleFillerHost {
  readonly stream: string;
  /** The `rs:fetch` that would fill the current hole, or undefined when there is none. */
  holeRequest(): FetchRequest | undefined;
  /** Applies a fetch reply; resolves to whether the cursor moved. Runs on the stream's queue. */
  applyReply(reply: BatchEnvelope): Promise<boolean>;
  /** Queues work behind everything already queued for the stream. */
  serial(task: () => void | Promise<void>): Promise<void>;
}

/**
 * Fetches the missing range of one stream: after a grace period ({@link soon}) or at once ({@link now}),
 * one request at a time, page after page while the hole shrinks, with backoff when it does not.
 *
 * Nothing is fetched while disconnected: the next connection replays from the cursor, and its
 * `rs:synced` asks again if a hole survived.
 */
export class HoleFiller {
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private fetching = false;
  private readonly retries: RetryScheduler;

  constructor(private readonly host: HoleFillerHost, private readonly ctx: SequencerContext) {
    this.retries = new RetryScheduler(ctx.retry, () => void host.serial(() => this.now()));
  }

  /** Gives a hole `gapHoldMs` to fill by itself (replay and live traffic overlap briefly) before fetching it. */
  soon(): void {
    if (!this.host.holeRequest()) {
      this.clearHold();
      return;
    }
    if (this.holdTimer !== undefined || this.busy()) return;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      void this.host.serial(() => this.now());
    }, this.ctx.gapHoldMs);
  }

  /** Fetches the hole now, unless a fetch or a retry is already under way. */
  now(): void {
    if (this.busy()) return;
    const request = this.host.holeRequest();
    if (!request) return;
    this.clearHold();
    this.fetching = true;
    // The reply is queued the moment it arrives, so it keeps its place among live messages.
    this.ctx.fetch(request, (error, reply) => void this.host.serial(() => this.onReply(error, reply)));
  }

  /** Stops timers; a later message or sync re-arms them. */
  cancel(): void {
    this.clearHold();
    this.retries.cancel();
  }

  private busy(): boolean {
    return this.fetching || this.retries.pending || !this.ctx.isConnected();
  }

  private async onReply(error: Error | null, reply: BatchEnvelope | ErrorReply | undefined): Promise<void> {
    this.fetching = false;
    const { stream } = this.host;
    if (error || !reply) {
      // A disconnect is not worth reporting: the next connection replays from the cursor anyway.
      if (this.ctx.isConnected()) this.ctx.onError({ message: `rs:fetch of ${stream} failed: ${error?.message ?? 'no reply'}`, stream, cause: error });
      this.retryLater();
      return;
    }
    if ('error' in reply) {
      this.ctx.onError({ code: reply.error.code, message: reply.error.message, stream });
      this.retryLater();
      return;
    }
    const progressed = await this.host.applyReply(reply);
    if (!this.host.holeRequest()) {
      this.retries.reset();
    } else if (progressed) {
      // A reply is one page: the rest of the hole is fetched straight away.
      this.retries.reset();
      this.now();
    } else {
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.ctx.isConnected()) this.retries.schedule();
  }

  private clearHold(): void {
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }
}
