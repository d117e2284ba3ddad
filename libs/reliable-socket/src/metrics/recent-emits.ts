/** How much {@link RecentEmits} remembers: at most `perStream` messages in each of at most `streams` streams. */
export interface RecentEmitsLimits {
  streams: number;
  perStream: number;
}

/** Called for each remembered message an ack covers, with the time since its append (in the clock's unit). */
export type AckedListener = (namespace: string, elapsed: number) => void;

/** One stream's remembered appends, oldest first; two flat arrays so recording allocates nothing per message. */
class StreamEmits {
  readonly offsets: number[] = [];
  readonly times: number[] = [];

  constructor(
    readonly namespace: string,
    public epoch: string,
  ) {}
}

/**
 * When this node appended its recent messages, per stream, so that the cluster-wide ack that first covers
 * a message yields its append-to-ack latency. Bounded: a stream keeps its `perStream` newest appends (older
 * ones are forgotten unmeasured) and at most `streams` streams are tracked (the oldest tracked stream is
 * dropped for a new one), so a recipient that never acknowledges cannot grow memory.
 */
export class RecentEmits {
  private readonly streams = new Map<string, StreamEmits>();

  constructor(
    private readonly limits: RecentEmitsLimits,
    private readonly onAcked: AckedListener,
  ) {}

  /** Number of streams currently tracked. */
  get size(): number {
    return this.streams.size;
  }

  /** Remembers that message `offset` of stream `id` (in `epoch`) was appended at `at`. */
  record(id: string, namespace: string, epoch: string, offset: number, at: number): void {
    let emits = this.streams.get(id);
    if (emits === undefined) {
      if (this.streams.size >= this.limits.streams) this.streams.delete(this.streams.keys().next().value as string);
      emits = new StreamEmits(namespace, epoch);
      this.streams.set(id, emits);
    } else if (emits.epoch !== epoch) {
      // Offsets of another epoch are unrelated: what was remembered can never be acknowledged.
      emits.epoch = epoch;
      emits.offsets.length = 0;
      emits.times.length = 0;
    } else if (emits.offsets.length >= this.limits.perStream) {
      emits.offsets.shift();
      emits.times.shift();
    }
    emits.offsets.push(offset);
    emits.times.push(at);
  }

  /**
   * A device acknowledged stream `id` up to `offset` (cumulative) at `now`: reports and forgets every
   * remembered message it covers. Appends of one stream can complete out of order, so every entry is checked.
   */
  acknowledged(id: string, offset: number, now: number): void {
    const emits = this.streams.get(id);
    if (emits === undefined) return;
    const { offsets, times } = emits;
    let kept = 0;
    for (let i = 0; i < offsets.length; i += 1) {
      if (offsets[i] <= offset) {
        this.onAcked(emits.namespace, now - times[i]);
      } else {
        offsets[kept] = offsets[i];
        times[kept] = times[i];
        kept += 1;
      }
    }
    offsets.length = kept;
    times.length = kept;
    if (kept === 0) this.streams.delete(id);
  }
}
