import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { WireEvent, type BatchEnvelope, type Cursor, type StreamHead } from '@reliable-socket/client/protocol';
import { RESOLVED_OPTIONS, streamRoom } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { StreamStore, type StreamKey } from '../store/stream.store.js';
import { emitAwaitingAck } from './ack-or-disconnect.js';
import { replayStart } from './replay-start.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';

/** How long a client may take to handle one replay page before the replay is abandoned. */
const PAGE_ACK_TIMEOUT_MS = 60_000;

export interface StreamSubscription {
  key: StreamKey;
  cursor?: Cursor;
  membershipStart: number;
}

/**
 * Brings one socket up to date on one stream, then makes it live.
 *
 * Pages are sent one at a time and each waits for the client's ack, which bounds memory on both sides.
 * The socket joins the stream's live room only after the backlog, then reads once more: whatever was
 * appended between the last page and the join is sent too, and the client drops the overlap by offset,
 * so replay and live traffic never interleave or duplicate from the handler's point of view.
 */
@Injectable()
export class StreamReplayer {
  constructor(
    @Inject(StreamStore) private readonly store: StreamStore,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly metrics: ReliableMetrics,
  ) {}

  async subscribe(socket: Socket, subscription: StreamSubscription): Promise<StreamHead> {
    const { key, cursor, membershipStart } = subscription;
    let page = await this.store.read(key, cursor?.offset ?? 0, this.options.replayPageSize);
    const start = replayStart(cursor, page, membershipStart);
    if (start.after !== (cursor?.offset ?? 0)) {
      page = await this.store.read(key, start.after, this.options.replayPageSize);
    }
    const first: BatchEnvelope = { stream: key.stream, epoch: page.epoch, after: start.after, messages: page.messages };
    if (start.joined) first.joined = true;
    let last = start.after;
    if (page.messages.length > 0 || start.mustAnnounce) last = await this.sendPage(socket, first, cursor);
    if (page.messages.length === this.options.replayPageSize) last = await this.pump(socket, key, last);
    socket.join(streamRoom(key.stream));
    last = await this.pump(socket, key, last);
    return { stream: key.stream, epoch: page.epoch, head: last };
  }

  /** Sends every page after `after`; resolves to the last offset sent. */
  async pump(socket: Socket, key: StreamKey, after: number): Promise<number> {
    let last = after;
    for (;;) {
      const page = await this.store.read(key, last, this.options.replayPageSize);
      if (page.messages.length === 0) return last;
      const previous: Cursor = { epoch: page.epoch, offset: last };
      last = await this.sendPage(socket, { stream: key.stream, epoch: page.epoch, after: Math.max(last, page.first - 1), messages: page.messages }, previous);
      if (page.messages.length < this.options.replayPageSize) return last;
    }
  }

  /** `cursor`: where the device stood before this page, to count the gap the page makes it report. */
  private async sendPage(socket: Socket, batch: BatchEnvelope, cursor: Cursor | undefined): Promise<number> {
    this.metrics.historySent(socket.nsp.name, batch, cursor);
    try {
      await emitAwaitingAck(socket, WireEvent.Batch, batch, PAGE_ACK_TIMEOUT_MS);
    } catch {
      throw new ReplayAbortedError(batch.stream);
    }
    return batch.messages.length > 0 ? batch.messages[batch.messages.length - 1].offset : batch.after;
  }
}

/** The socket went away (or stopped acknowledging) mid-replay; it resumes from its cursor next time. */
export class ReplayAbortedError extends Error {
  constructor(stream: string) {
    super(`replay of ${stream} aborted: the socket disconnected or stopped acknowledging pages`);
    this.name = 'ReplayAbortedError';
  }
}
