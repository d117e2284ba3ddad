import type { BatchEnvelope, Cursor, FetchRequest, LiveEnvelope, StreamHead, WireMessage } from '../protocol.js';
import { HeldMessages } from './held.messages.js';
import { HoleFiller } from './hole.filler.js';
import type { SequencerContext } from './sequencer.context.js';
import { SerialQueue } from './serial.queue.js';

/**
 * Turns what the server sends for one stream (live messages, replay pages, fetch replies, sync heads)
 * into handler calls that are in order, exactly once per device, each persisted before the next.
 *
 * Everything for the stream runs on one serial queue, so a slow handler delays only its own stream.
 * Messages that cannot be delivered yet (ahead of a hole, or of an epoch the client has no position
 * in) are held until the hole fills, by itself or through {@link HoleFiller}.
 *
 * @example
 * const sequencer = new StreamSequencer('user:42', storedCursor, context);
 * socket.on('rs:msg', (envelope) => void sequencer.live(envelope));
 */
export class StreamSequencer {
  private cursor: Cursor | undefined;
  private readonly held = new HeldMessages();
  private readonly queue: SerialQueue;
  private readonly filler: HoleFiller;
  private replayed = 0;
  /** A head the server announced (`rs:head`) that the cursor has not reached yet: fetched like a hole. */
  private announced: Cursor | undefined;

  constructor(
    readonly stream: string,
    cursor: Cursor | undefined,
    private readonly ctx: SequencerContext,
  ) {
    this.cursor = cursor && { ...cursor };
    this.queue = new SerialQueue((cause) => ctx.onError({ message: `stream ${stream}: internal error`, stream, cause }));
    this.filler = new HoleFiller(
      {
        stream,
        holeRequest: () => this.holeRequest(),
        applyReply: (reply) => this.applyReply(reply),
        serial: (task) => this.queue.run(task),
      },
      ctx,
    );
  }

  /** Last handled position, if any. */
  position(): Cursor | undefined {
    return this.cursor && { ...this.cursor };
  }

  /** Offsets waiting for a hole to fill, ascending (for tests and debugging). */
  heldOffsets(): number[] {
    return this.held.offsets();
  }

  /** Messages delivered from `rs:batch` since the last call; resets the count. */
  takeReplayed(): number {
    const count = this.replayed;
    this.replayed = 0;
    return count;
  }

  /** `rs:msg`. Resolves once the message has been delivered, held or dropped. */
  live(envelope: LiveEnvelope): Promise<void> {
    const { stream: _stream, epoch, ...message } = envelope;
    return this.queue.run(() => this.onLive(epoch, message));
  }

  /** `rs:batch`. Resolves once every message of it was handled: the server then sends the next page. */
  batch(envelope: BatchEnvelope): Promise<void> {
    return this.queue.run(() => this.onBatch(envelope, true));
  }

  /** One stream of `rs:synced`: the replay is over and the cursor must reach `head`. */
  synced(head: StreamHead): Promise<void> {
    return this.queue.run(async () => {
      await this.reposition(head.epoch, head.head, false);
      await this.drain();
      this.filler.soon();
    });
  }

  /**
   * `rs:head`: the stream has messages up to `head`. Whatever lies between the cursor and it is fetched
   * (and delivered, or reported as a gap if the server no longer has it), never skipped.
   */
  headAnnounced(head: StreamHead): Promise<void> {
    return this.queue.run(() => {
      const cursor = this.cursor;
      if (cursor && cursor.epoch === head.epoch && head.head <= cursor.offset) return;
      this.announced = { epoch: head.epoch, offset: head.head };
      this.filler.now();
    });
  }

  /** After a sync that did not name this stream: a hole left from before the reconnect is fetched. */
  checkHole(): Promise<void> {
    return this.queue.run(() => this.filler.soon());
  }

  /** Stops timers (on close); a later message or sync re-arms them. */
  cancelTimers(): void {
    this.filler.cancel();
  }

  private async onLive(epoch: string, message: WireMessage): Promise<void> {
    const cursor = this.cursor;
    if (!cursor || epoch !== cursor.epoch) {
      // Without a position in this epoch the message cannot be placed: ask the server at once.
      this.held.add(epoch, message);
      this.filler.now();
      return;
    }
    if (message.offset <= cursor.offset) return;
    if (message.offset === cursor.offset + 1) {
      await this.handle(message);
      await this.drain();
    } else {
      this.held.add(epoch, message);
    }
    this.filler.soon();
  }

  private async onBatch(envelope: BatchEnvelope, replay: boolean): Promise<void> {
    await this.reposition(envelope.epoch, envelope.after, envelope.joined === true);
    for (const message of envelope.messages) {
      const cursor = this.cursor!;
      if (message.offset <= cursor.offset) continue;
      if (message.offset === cursor.offset + 1) {
        this.held.take(cursor.epoch, message.offset);
        await this.handle(message);
        if (replay) this.replayed += 1;
      } else {
        // Pages are contiguous; a malformed one is still placed correctly.
        this.held.add(envelope.epoch, message);
      }
    }
    await this.drain();
  }

  private async applyReply(reply: BatchEnvelope): Promise<boolean> {
    const before = this.cursor;
    await this.onBatch(reply, false);
    const after = this.cursor!;
    const progressed = !before || before.epoch !== after.epoch || after.offset > before.offset;
    // An announced head the server has nothing more for (another epoch now) is not chased forever.
    if (!progressed) this.announced = undefined;
    return progressed;
  }

  /** Every held message is behind a hole (or of an unplaced epoch): that is what to fetch. */
  private holeRequest(): FetchRequest | undefined {
    if (this.announced && this.cursor?.epoch === this.announced.epoch && this.cursor.offset >= this.announced.offset) this.announced = undefined;
    if (this.held.size === 0 && !this.announced) return undefined;
    return this.cursor ? { stream: this.stream, after: this.cursor.offset, epoch: this.cursor.epoch } : { stream: this.stream };
  }

  /**
   * Applies a position the server vouches for (a batch's `after`, a sync's `head`). Held messages of
   * another epoch are dropped: the server's answer was sent after they were, so their epoch is stale.
   */
  private async reposition(epoch: string, offset: number, joined: boolean): Promise<void> {
    const cursor = this.cursor;
    this.held.keepEpoch(epoch);
    if (!cursor) {
      await this.moveTo({ epoch, offset });
    } else if (cursor.epoch !== epoch) {
      this.ctx.onGap({ stream: this.stream, from: cursor.offset + 1, to: null, reason: 'epoch' });
      await this.moveTo({ epoch, offset });
    } else if (offset > cursor.offset) {
      // `joined`: the range precedes the user's membership, it was never theirs to receive.
      if (joined) await this.moveTo({ epoch, offset });
      else await this.skipTo(offset);
    }
  }

  /**
   * Moves the cursor up to `target` in its epoch. The server no longer has that range, but messages
   * of it already held are still delivered: only the true holes are reported as gaps.
   */
  private async skipTo(target: number): Promise<void> {
    while (this.cursor!.offset < target) {
      const { epoch, offset } = this.cursor!;
      const next = this.held.take(epoch, offset + 1);
      if (next) {
        await this.handle(next);
        continue;
      }
      const nextHeld = this.held.firstIn(epoch, offset + 2, target);
      const to = nextHeld === undefined ? target : nextHeld - 1;
      this.ctx.onGap({ stream: this.stream, from: offset + 1, to, reason: 'trimmed' });
      await this.moveTo({ epoch, offset: to });
    }
  }

  /** Delivers held messages that have become next in line; forgets those now behind the cursor. */
  private async drain(): Promise<void> {
    for (;;) {
      const cursor = this.cursor;
      if (!cursor) return;
      this.held.dropThrough(cursor.epoch, cursor.offset);
      const next = this.held.take(cursor.epoch, cursor.offset + 1);
      if (!next) return;
      await this.handle(next);
    }
  }

  private async handle(message: WireMessage): Promise<void> {
    try {
      await this.ctx.deliver(this.stream, message);
    } catch (cause) {
      this.ctx.onError({ message: `delivery of ${this.stream}@${message.offset} failed`, stream: this.stream, offset: message.offset, cause });
    }
    await this.moveTo({ epoch: this.cursor!.epoch, offset: message.offset });
  }

  /** Sets and persists the cursor; the next message waits for the write, so a reload never redelivers. */
  private async moveTo(cursor: Cursor): Promise<void> {
    this.cursor = cursor;
    try {
      await this.ctx.commit(this.stream, { ...cursor });
    } catch (cause) {
      this.ctx.onError({ message: `cannot persist the cursor of ${this.stream}`, stream: this.stream, offset: cursor.offset, cause });
    }
  }
}
