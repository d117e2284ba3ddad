import { randomUUID } from 'node:crypto';
import { StreamName } from '@reliable-socket/client/protocol';
import { MessageWindow } from './message.window.js';
import { createAckListenerSet } from './ack-listener.set.js';
import { decodeMessage, encodeMessageBody, stampMessage } from './message.codec.js';
import { assertOffset, assertStoreLimits, expiryCutoff, metaTtlMs } from './store-limits.policy.js';
import type {
  AckListener, AppendInput, AppendResult, ReadResult, RetentionPolicy, StreamKey, StreamState, StreamStore,
} from './stream.store.js';

export interface MemoryStreamStoreOptions {
  retention: RetentionPolicy;
  idempotencyTtlMs: number;
  /** Clock in ms; injectable so tests can age messages without waiting. */
  now?: () => number;
}

interface StoredMessage {
  offset: number;
  ts: number;
  json: string;
}

interface MemoryStream {
  epoch: string;
  head: number;
  acked: number;
  /** Ascending and contiguous: trimming only ever removes from the front. */
  log: MessageWindow<StoredMessage>;
  /** Insertion order is expiry order (one TTL for all), so expired keys are always at the front. */
  idempotency: Map<string, { offset: number; expiresAt: number }>;
  /** Like the Redis meta TTL: an untouched stream is eventually forgotten and restarts in a new epoch. */
  expiresAt: number;
}

/** Tuples, not concatenation: no separator can make two different pairs collide. */
const pairId = (first: string, second: string): string => JSON.stringify([first, second]);

/**
 * {@link StreamStore} held in this process, for a single node (and tests). Everything is lost when the
 * process exits; the next process starts new epochs, which clients treat as a history reset.
 */
export class MemoryStreamStore implements StreamStore {
  private readonly streams = new Map<string, MemoryStream>();
  private readonly roomsByUser = new Map<string, Map<string, number>>();
  private readonly membersByRoom = new Map<string, Set<string>>();
  private readonly listeners = createAckListenerSet();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: MemoryStreamStoreOptions) {
    assertStoreLimits(options.retention, options.idempotencyTtlMs);
    this.now = options.now ?? Date.now;
    // Without it, a stream nobody reads or writes would hold its expired messages forever.
    const sweepEveryMs = Math.min(Math.max(options.retention.maxAgeMs, 1_000), 60_000);
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs).unref();
  }

  async append(key: StreamKey, input: AppendInput): Promise<AppendResult> {
    return (await this.appendBatch(key, [input]))[0];
  }

  async appendBatch(key: StreamKey, inputs: AppendInput[]): Promise<AppendResult[]> {
    const bodies = inputs.map(encodeMessageBody); // throws on unserialisable data before anything changes
    return inputs.map((input, index) => this.appendOne(key, input, bodies[index]));
  }

  private appendOne(key: StreamKey, input: AppendInput, body: string): AppendResult {
    const now = this.now();
    const stream = this.streamOf(key, now);
    this.forgetExpiredIdempotencyKeys(stream, now);
    const prior = input.idempotencyKey === undefined ? undefined : stream.idempotency.get(input.idempotencyKey);
    if (prior) return { epoch: stream.epoch, offset: prior.offset, duplicate: true };

    this.trimExpired(stream, now);
    const offset = ++stream.head;
    stream.log.push({ offset, ts: now, json: stampMessage(body, now) });
    stream.log.dropFirst(stream.log.length - this.options.retention.maxLength);
    if (input.idempotencyKey !== undefined) {
      stream.idempotency.set(input.idempotencyKey, { offset, expiresAt: now + this.options.idempotencyTtlMs });
    }
    stream.expiresAt = now + metaTtlMs(this.options.retention);
    return { epoch: stream.epoch, offset, duplicate: false };
  }

  async read(key: StreamKey, after: number, limit: number): Promise<ReadResult> {
    assertOffset('after', after);
    assertOffset('limit', limit);
    const now = this.now();
    const stream = this.streamOf(key, now);
    this.trimExpired(stream, now);
    const first = stream.log.first()?.offset ?? stream.head + 1;
    const start = Math.max(after + 1 - first, 0);
    const messages = stream.log.slice(start, start + limit).map(({ offset, json }) => decodeMessage(offset, json));
    return { epoch: stream.epoch, first, head: stream.head, messages };
  }

  async state(key: StreamKey): Promise<StreamState> {
    const { epoch, first, head } = await this.read(key, 0, 0);
    return { epoch, first, head };
  }

  async ack(key: StreamKey, offset: number): Promise<void> {
    assertOffset('offset', offset);
    const now = this.now();
    const stream = this.liveStream(key, now);
    if (!stream) return; // no epoch to acknowledge against
    stream.expiresAt = now + metaTtlMs(this.options.retention);
    // An offset past the head cannot have been handled; clamping keeps a stale cursor from pre-acking future messages.
    const acked = Math.min(offset, stream.head);
    if (acked <= stream.acked) return;
    stream.acked = acked;
    this.listeners.notify({ namespace: key.namespace, stream: key.stream }, acked);
  }

  async ackedOffset(key: StreamKey): Promise<number> {
    return this.liveStream(key, this.now())?.acked ?? 0;
  }

  onAck(listener: AckListener): () => void {
    return this.listeners.add(listener);
  }

  /** Acks are notified in-process, never missed: the listener is never called. */
  onAcksMissed(_listener: () => void): () => void {
    return () => undefined;
  }

  async joinRoom(namespace: string, userId: string, room: string): Promise<number> {
    const { head } = await this.state({ namespace, stream: StreamName.room(room) });
    const userKey = pairId(namespace, userId);
    const rooms = this.roomsByUser.get(userKey) ?? new Map<string, number>();
    this.roomsByUser.set(userKey, rooms);
    // A rejoin keeps the first offset: moving it forward would skip messages the user has not seen yet.
    if (!rooms.has(room)) rooms.set(room, head);
    const roomKey = pairId(namespace, room);
    this.membersByRoom.set(roomKey, (this.membersByRoom.get(roomKey) ?? new Set<string>()).add(userId));
    return rooms.get(room)!;
  }

  async leaveRoom(namespace: string, userId: string, room: string): Promise<void> {
    const roomKey = pairId(namespace, room);
    const members = this.membersByRoom.get(roomKey);
    members?.delete(userId);
    if (members?.size === 0) this.membersByRoom.delete(roomKey);
    const userKey = pairId(namespace, userId);
    const rooms = this.roomsByUser.get(userKey);
    rooms?.delete(room);
    if (rooms?.size === 0) this.roomsByUser.delete(userKey);
  }

  async roomsOf(namespace: string, userId: string): Promise<Map<string, number>> {
    return new Map(this.roomsByUser.get(pairId(namespace, userId)));
  }

  async membersOf(namespace: string, room: string): Promise<string[]> {
    return [...(this.membersByRoom.get(pairId(namespace, room)) ?? [])];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.listeners.clear();
  }

  /** The stream if its meta has not expired, without creating it (acks never create epochs). */
  private liveStream(key: StreamKey, now: number): MemoryStream | undefined {
    const stream = this.streams.get(pairId(key.namespace, key.stream));
    return stream && stream.expiresAt > now ? stream : undefined;
  }

  /** The stream, created with a new epoch on first use or after its meta expired. */
  private streamOf(key: StreamKey, now: number): MemoryStream {
    const existing = this.liveStream(key, now);
    if (existing) return existing;
    const created: MemoryStream = {
      epoch: randomUUID(), head: 0, acked: 0, log: new MessageWindow<StoredMessage>(), idempotency: new Map(),
      expiresAt: now + metaTtlMs(this.options.retention),
    };
    this.streams.set(pairId(key.namespace, key.stream), created);
    return created;
  }

  private trimExpired(stream: MemoryStream, now: number): void {
    const cutoff = expiryCutoff(now, this.options.retention);
    const expired = stream.log.findIndex((message) => message.ts >= cutoff);
    stream.log.dropFirst(expired === -1 ? stream.log.length : expired);
  }

  private forgetExpiredIdempotencyKeys(stream: MemoryStream, now: number): void {
    for (const [idempotencyKey, { expiresAt }] of stream.idempotency) {
      if (expiresAt > now) return;
      stream.idempotency.delete(idempotencyKey);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, stream] of this.streams) {
      if (stream.expiresAt <= now) {
        this.streams.delete(id);
        continue;
      }
      this.trimExpired(stream, now);
      this.forgetExpiredIdempotencyKeys(stream, now);
    }
  }
}
