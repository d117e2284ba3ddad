import { absoluteNow } from './bench-server.js';
import { Inbox } from './inbox.js';
import type { LoadPayload } from './payload.js';
import { percentile } from './timing.js';

/**
 * One round of paced messages (`count` of them, message `k` for target `k % targets`), checked as they
 * arrive: every target gets its own messages exactly once and in order (an {@link Inbox} per target,
 * ordered by the payload's per-target `seq`), and each message's latency is taken from the time it was
 * scheduled for (`sentAt`) to the time its handler ran, across the process boundary (absolute clocks).
 */
export class LoadRound {
  private readonly latencies: Float64Array;
  private readonly inboxes: Inbox[];
  /** Absolute time the last message of the round was handled. */
  lastAt = 0;

  constructor(
    readonly count: number,
    readonly targets: number,
  ) {
    this.latencies = new Float64Array(count);
    this.inboxes = Array.from({ length: targets }, (_, target) => new Inbox(Math.floor(count / targets) + (target < count % targets ? 1 : 0), 'seq'));
  }

  record(target: number, payload: LoadPayload): void {
    const at = absoluteNow();
    const inbox = this.inboxes[target];
    if (!inbox) throw new Error(`message for unknown target ${target}`);
    inbox.record(payload.seq);
    if (payload.k >= 0 && payload.k < this.count) this.latencies[payload.k] = at - payload.sentAt;
    this.lastAt = Math.max(this.lastAt, at);
  }

  get received(): number {
    return this.inboxes.reduce((sum, inbox) => sum + inbox.received, 0);
  }

  /** Resolves once every target got all of its messages; rejects after `timeoutMs`, or at once after {@link fail}. */
  async waitComplete(timeoutMs: number, what: string): Promise<void> {
    // A target with nothing to expect never completes by itself: it is left out.
    await Promise.all(this.inboxes.map((inbox, target) => (inbox.expected > 0 ? inbox.waitComplete(timeoutMs, `${what}, target ${target}`) : undefined)));
  }

  fail(error: Error): void {
    for (const inbox of this.inboxes) inbox.fail(error);
  }

  /** Throws unless every target got exactly its messages, each once, in order. */
  verify(what: string): void {
    this.inboxes.forEach((inbox, target) => inbox.verify(`${what}, target ${target}`));
  }

  /** Latency percentile (ms) over the whole round; call after {@link verify}. */
  latencyMs(p: number): number {
    return percentile(this.latencies, p);
  }
}
