import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import {
  ErrorCode, StreamName, WireEvent,
  type AckEnvelope, type BatchEnvelope, type ErrorReply, type FetchRequest,
} from '@reliable-socket/client/protocol';
import { RESOLVED_OPTIONS, streamRoom } from '../reliable-socket.constants.js';
import type { AuthenticatedUser, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { StreamStore, type StreamKey } from '../store/stream.store.js';
import { replayStart } from './replay-start.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import type { SocketListeners } from '../io/socket-listeners.js';

type Reply = (response: BatchEnvelope | ErrorReply | { t: number }) => void;

const ROOM_PREFIX = StreamName.room('');

function errorReply(code: ErrorReply['error']['code'], message: string): ErrorReply {
  return { error: { code, message } };
}

function isFetchRequest(value: unknown): value is FetchRequest {
  const request = value as FetchRequest;
  return (
    typeof request === 'object' && request !== null && typeof request.stream === 'string' &&
    (request.after === undefined || (Number.isSafeInteger(request.after) && request.after >= 0)) &&
    (request.epoch === undefined || typeof request.epoch === 'string') &&
    (request.limit === undefined || (Number.isSafeInteger(request.limit) && request.limit > 0))
  );
}

/**
 * Protocol requests a connected client makes: cumulative acks, range fetches that fill gaps, and
 * liveness probes. Every stream a client names is checked against what that user may read.
 */
@Injectable()
export class ClientRequestsHandler {
  private readonly logger = new Logger('ReliableSocket');
  /** Registered on every socket by the namespace binder; shared, so nothing is allocated per socket. */
  readonly listeners: SocketListeners;

  constructor(
    @Inject(StreamStore) private readonly store: StreamStore,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly metrics: ReliableMetrics,
  ) {
    // An alias: the listeners' own `this` is the socket.
    const handler = this;
    this.listeners = {
      [WireEvent.Ack](envelope: AckEnvelope) {
        void handler.onAck(this, envelope);
      },
      [WireEvent.Fetch](request: unknown, reply?: Reply) {
        if (typeof reply === 'function') void handler.onFetch(this, request).then(reply);
      },
      [WireEvent.Probe](...args: unknown[]) {
        const reply = args[args.length - 1];
        if (typeof reply === 'function') (reply as Reply)({ t: Date.now() });
      },
    };
  }

  private async onAck(socket: Socket, envelope: AckEnvelope): Promise<void> {
    const acks = envelope?.acks;
    if (typeof acks !== 'object' || acks === null) return;
    const own = StreamName.user((socket.data.user as AuthenticatedUser).id);
    await Promise.all(
      Object.entries(acks)
        .filter((entry): entry is [string, number] => Number.isSafeInteger(entry[1]) && (entry[0] === own || socket.rooms.has(streamRoom(entry[0]))))
        .map(([stream, offset]) =>
          this.store.ack({ namespace: socket.nsp.name, stream }, offset).catch((error: Error) =>
            this.logger.warn(`ack of ${stream}@${offset} not recorded: ${error.message}`),
          ),
        ),
    );
  }

  private async onFetch(socket: Socket, request: unknown): Promise<BatchEnvelope | ErrorReply> {
    if (!isFetchRequest(request)) return errorReply(ErrorCode.BadRequest, 'rs:fetch expects { stream: string, after?: int >= 0, epoch?: string, limit?: int > 0 }');
    const key: StreamKey = { namespace: socket.nsp.name, stream: request.stream };
    try {
      const membershipStart = await this.membershipStart(socket, request.stream);
      if (membershipStart === undefined) return errorReply(ErrorCode.Forbidden, `not subscribed to ${request.stream}`);
      const limit = Math.min(request.limit ?? this.options.replayPageSize, this.options.replayPageSize);
      const cursor = request.epoch !== undefined && request.after !== undefined ? { epoch: request.epoch, offset: request.after } : undefined;
      const start = replayStart(cursor, await this.store.state(key), membershipStart);
      const page = await this.store.read(key, start.after, limit);
      const batch: BatchEnvelope = { stream: request.stream, epoch: page.epoch, after: Math.max(start.after, page.first - 1), messages: page.messages };
      if (start.joined) batch.joined = true;
      this.metrics.historySent(socket.nsp.name, batch, cursor);
      return batch;
    } catch (error) {
      this.logger.warn(`rs:fetch of ${request.stream} failed: ${(error as Error).message}`);
      return errorReply(ErrorCode.Unavailable, 'the message store is unavailable; retry later');
    }
  }

  /** Offset the user's access to `stream` starts at, or undefined when the user may not read it. */
  private async membershipStart(socket: Socket, stream: string): Promise<number | undefined> {
    const user = socket.data.user as AuthenticatedUser;
    if (stream === StreamName.user(user.id)) return 0;
    if (!stream.startsWith(ROOM_PREFIX)) return undefined;
    const rooms = await this.store.roomsOf(socket.nsp.name, user.id);
    return rooms.get(stream.slice(ROOM_PREFIX.length));
  }
}
