import type { WireMessage } from '@reliable-socket/client/protocol';

/** How much history a stream keeps. Whichever limit is hit first trims the oldest messages. */
export interface RetentionPolicy {
  /** Most messages kept per stream. */
  maxLength: number;
  /** Oldest message age kept, in ms. */
  maxAgeMs: number;
}

/** What the emitter hands the store. `data` must survive JSON serialisation. */
export interface AppendInput {
  event: string;
  data: unknown;
  /**
   * Appending twice with the same key (per stream, within `idempotencyTtlMs`) stores the message once
   * and returns the first append's offset with `duplicate: true`.
   */
  idempotencyKey?: string;
  /** When the message goes stale (ms since the epoch): clients skip its handlers after that. */
  expiresAt?: number;
}

export interface AppendResult {
  epoch: string;
  offset: number;
  duplicate: boolean;
}

/**
 * A stream's position. `first` is the lowest offset still retained (`head + 1` when empty), `head` the
 * last offset ever appended in this epoch (0 for a new stream). The epoch changes when history is lost.
 */
export interface StreamState {
  epoch: string;
  first: number;
  head: number;
}

export interface ReadResult extends StreamState {
  /** Messages with offset > `after`, ascending, contiguous, at most `limit`. */
  messages: WireMessage[];
}

/** A stream is addressed by namespace + stream name (see `StreamName` in the protocol). */
export interface StreamKey {
  namespace: string;
  stream: string;
}

export type AckListener = (key: StreamKey, offset: number) => void;

/**
 * Durable, ordered, per-stream message log plus room membership and ack records.
 *
 * Implementations: {@link RedisStreamStore} for clusters, {@link MemoryStreamStore} for a single
 * process. Both pass the same contract suite (`stream.store.contract.ts`).
 */
export interface StreamStore {
  /** Atomically assigns the next offset and stores the message. Creates the epoch on first use. */
  append(key: StreamKey, input: AppendInput): Promise<AppendResult>;
  /**
   * Appends several messages to one stream atomically, in order, with contiguous offsets (duplicates by
   * idempotency key take none): what the emitter uses to store a burst in one round trip.
   */
  appendBatch(key: StreamKey, inputs: AppendInput[]): Promise<AppendResult[]>;
  /** Reads up to `limit` messages after `after`, applying retention first. Creates the epoch on first use. */
  read(key: StreamKey, after: number, limit: number): Promise<ReadResult>;
  /** Current state without messages. */
  state(key: StreamKey): Promise<StreamState>;
  /** Records that a device handled everything up to `offset`; keeps the maximum; notifies every node's listeners. */
  ack(key: StreamKey, offset: number): Promise<void>;
  /** Highest acknowledged offset in the current epoch (0 if none). */
  ackedOffset(key: StreamKey): Promise<number>;
  /** Subscribes to acks recorded by any node. Returns the unsubscribe function. */
  onAck(listener: AckListener): () => void;
  /**
   * Called when ack notifications may have been missed: the store's subscription to them was interrupted
   * and is confirmed again. Whoever waits for acks should re-read {@link ackedOffset}. Never called by a
   * single-process store. Returns the unsubscribe function.
   */
  onAcksMissed(listener: () => void): () => void;
  /** Adds a user to a room and returns the room stream's head at that moment: the member gets what follows. */
  joinRoom(namespace: string, userId: string, room: string): Promise<number>;
  leaveRoom(namespace: string, userId: string, room: string): Promise<void>;
  /** Rooms of a user with the room-stream offset each was joined at. */
  roomsOf(namespace: string, userId: string): Promise<Map<string, number>>;
  membersOf(namespace: string, room: string): Promise<string[]>;
  /** Resolves when the backend answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** DI token for the active {@link StreamStore}; the interface and token share one name, as in `ThrottlerStorage`. */
export const StreamStore = Symbol('ReliableSocket:StreamStore');
