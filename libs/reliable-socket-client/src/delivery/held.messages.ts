import type { WireMessage } from '../protocol.js';

/**
 * Live messages that arrived ahead of a hole, by offset, each with the epoch it was sent in (a message
 * can only be placed once the client has a position in that epoch).
 */
export class HeldMessages {
  private readonly byOffset = new Map<number, { epoch: string; message: WireMessage }>();

  get size(): number {
    return this.byOffset.size;
  }

  /** Held offsets, ascending. */
  offsets(): number[] {
    return [...this.byOffset.keys()].sort((a, b) => a - b);
  }

  /** Holds `message` unless the same offset of the same epoch already is (a duplicate). */
  add(epoch: string, message: WireMessage): void {
    const held = this.byOffset.get(message.offset);
    // Same offset in another epoch: the later arrival reflects the server's newer state.
    if (!held || held.epoch !== epoch) this.byOffset.set(message.offset, { epoch, message });
  }

  /** Removes and returns the message held at `offset` if it belongs to `epoch`. */
  take(epoch: string, offset: number): WireMessage | undefined {
    const held = this.byOffset.get(offset);
    if (!held || held.epoch !== epoch) return undefined;
    this.byOffset.delete(offset);
    return held.message;
  }

  /** Forgets every message of another epoch. */
  keepEpoch(epoch: string): void {
    for (const [offset, held] of this.byOffset) if (held.epoch !== epoch) this.byOffset.delete(offset);
  }

  /** Forgets the messages of `epoch` at or before `offset`: they are behind the cursor. */
  dropThrough(epoch: string, offset: number): void {
    for (const [at, held] of this.byOffset) if (held.epoch === epoch && at <= offset) this.byOffset.delete(at);
  }

  /** The smallest held offset of `epoch` in `[from, to]`. */
  firstIn(epoch: string, from: number, to: number): number | undefined {
    let first: number | undefined;
    for (const [at, held] of this.byOffset) {
      if (held.epoch === epoch && at >= from && at <= to && (first === undefined || at < first)) first = at;
    }
    return first;
  }
}
