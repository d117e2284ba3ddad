import type { BatchEnvelope, Cursor, LiveEnvelope, SyncedEnvelope } from '../protocol.js';
import type { SequencerContext } from './sequencer.context.js';
import { StreamSequencer } from './stream.sequencer.js';

/**
 * Routes server traffic to one {@link StreamSequencer} per stream, created on first sight with the
 * stored cursor, and turns the end of a sync into `recovered` signals.
 */
export class StreamRouter {
  private readonly sequencers = new Map<string, StreamSequencer>();

  constructor(
    private readonly ctx: SequencerContext,
    /** The persisted cursor a new sequencer starts from. */
    private readonly initialCursor: (stream: string) => Cursor | undefined,
    private readonly onRecovered: (stream: string, count: number) => void,
  ) {}

  live(envelope: LiveEnvelope): Promise<void> {
    return this.sequencer(envelope.stream).live(envelope);
  }

  batch(envelope: BatchEnvelope): Promise<void> {
    return this.sequencer(envelope.stream).batch(envelope);
  }

  /**
   * `rs:synced`: each named stream settles on its head once the work queued before it is done; the
   * other streams re-check for holes. Then every stream that got replayed messages since the previous
   * sync reports how many.
   */
  async synced(envelope: SyncedEnvelope): Promise<void> {
    const named = new Set(envelope.streams.map((head) => head.stream));
    await Promise.all([
      ...envelope.streams.map((head) => this.sequencer(head.stream).synced(head)),
      ...[...this.sequencers.values()].filter((s) => !named.has(s.stream)).map((s) => s.checkHole()),
    ]);
    for (const sequencer of this.sequencers.values()) {
      const count = sequencer.takeReplayed();
      if (count > 0) this.onRecovered(sequencer.stream, count);
    }
  }

  /** `rs:head`: each named stream fetches what it lacks up to its head. */
  heads(envelope: SyncedEnvelope): void {
    for (const head of envelope.streams) void this.sequencer(head.stream).headAnnounced(head);
  }

  /** Stops every stream's timers (on close). */
  cancelTimers(): void {
    for (const sequencer of this.sequencers.values()) sequencer.cancelTimers();
  }

  /** The sequencer of `stream`, created on first use. */
  sequencer(stream: string): StreamSequencer {
    let sequencer = this.sequencers.get(stream);
    if (!sequencer) {
      sequencer = new StreamSequencer(stream, this.initialCursor(stream), this.ctx);
      this.sequencers.set(stream, sequencer);
    }
    return sequencer;
  }
}
