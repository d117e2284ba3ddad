/**
 * Messages between the bench (parent) and a server process (child). The server runs in its own process
 * so it gets a core of its own, like a real server whose client is another machine, and so counting
 * its Redis traffic cannot confuse it with the bench's own Redis connection.
 */
import type { LoopDelay } from './loop-delay.js';
import type { OpenLoopResult } from './open-loop.js';

/**
 * `plain-csr` is plain Socket.IO with connection state recovery on (used only to compare recovery).
 * `nest-plain` is a Nest gateway without reliable-socket (used only to split idle-connection memory).
 * `reliable-unique-redis` is the Redis app whose gateway is `@UniquePerNamespace()` (one session per
 * user): the connection scenarios measure handshake auth + session claim + presence on it.
 */
export type ServerKind = 'plain' | 'plain-csr' | 'nest-plain' | 'reliable-redis' | 'reliable-memory' | 'reliable-unique-redis';

export interface StartRequest {
  op: 'start';
  kind: ServerKind;
  /** Required for `reliable-redis`. */
  redisUrl?: string;
  keyPrefix?: string;
  /** Reliable servers: `retention.maxLength` (the scale bench keeps long streams); absent, the library default. */
  retentionMaxLength?: number;
}

/**
 * Sends `count` messages to `user`:
 * - plain servers: `socket.emit` on the user's socket (`via: 'socket'`) or `io.to(userRoom).emit` (`via: 'room'`), in one loop;
 * - reliable servers: `emitter.toUser(user).emit`, at most `concurrency` emits awaiting durability at once.
 */
export interface BurstRequest {
  op: 'burst';
  user: string;
  count: number;
  concurrency: number;
  via: 'socket' | 'room';
}

/** Cumulative counters; the bench subtracts two snapshots. `collectGarbage` runs a GC first (outside any timed window). */
export interface SnapshotRequest {
  op: 'snapshot';
  collectGarbage?: boolean;
}

export interface SocketCountRequest {
  op: 'socketCount';
  user: string;
}

export interface StopRequest {
  op: 'stop';
}

/**
 * One message to every connected client of the bench namespace (scenario 7), payload `{ round, text }`:
 * - plain servers: one `namespace.emit(CAMPAIGN_EVENT, payload)` (Socket.IO's `io.emit`, on the bench namespace);
 * - reliable servers: `CampaignService.start({ target: { users }, … })` without `ratePerSecond`, then
 *   `progress(id)` polled in the server process until `delivered === users.length` (at most `timeoutMs`).
 */
export interface CampaignRequest {
  op: 'campaign';
  round: number;
  /** Reliable servers only: the recipients (each a connected client's user). */
  users: string[];
  timeoutMs: number;
}

/** A stream the scale bench's paced emits go to: a user's own stream or a room's. */
export interface LoadTarget {
  kind: 'user' | 'room';
  name: string;
}

/**
 * Scale bench, reliable servers: `count` emits at `ratePerSec`, open loop (see `open-loop.ts`); emit `k`
 * goes to `targets[k % targets.length]` with payload `makeLoadPayload(k, ⌊k / targets.length⌋, scheduled time)`.
 */
export interface PacedEmitRequest {
  op: 'pacedEmit';
  targets: LoadTarget[];
  count: number;
  ratePerSec: number;
  maxPending: number;
}

/** Scale bench, reliable servers: stores `count` messages in `user`'s stream through the store, bypassing delivery. */
export interface PrefillRequest {
  op: 'prefill';
  user: string;
  count: number;
}

/** Scale bench, reliable servers: makes `user` a member of each of `rooms` (`ReliableEmitter.join`). */
export interface JoinRequest {
  op: 'join';
  user: string;
  rooms: string[];
}

export type ServerRequest =
  | StartRequest | BurstRequest | SnapshotRequest | SocketCountRequest | StopRequest | CampaignRequest | PacedEmitRequest | PrefillRequest | JoinRequest;

export interface StartReply {
  port: number;
}

export interface PacedEmitReply {
  /** The open loop's own figures (`started`, `completed`, `maxLagMs`, `stalled`…, see `OpenLoopResult`). */
  loop: OpenLoopResult;
  /** Per emit, from the call until it resolved as durable (ms). */
  emitP50Ms: number;
  emitP99Ms: number;
}

/** The stream's epoch and head after the prefill: a device whose cursor is there has nothing to replay. */
export interface PrefillReply {
  epoch: string;
  head: number;
}

export interface BurstReply {
  /** From the first emit until every emit returned (plain) or resolved as durable (reliable). */
  emitMs: number;
}

/**
 * Times are absolute (`performance.timeOrigin + performance.now()`, ms), so the bench can compare them with
 * its own clients' receipt times across the process boundary.
 */
export interface CampaignReply {
  /** Just before `namespace.emit` (plain) or `campaigns.start()` (reliable). */
  startedAt: number;
  /** When `namespace.emit` or `start()` returned. */
  startReturnedAt: number;
  /** Reliable: first `progress(id)` reply with `delivered === users.length`, and that reply. */
  deliveredAt?: number;
  progress?: { state: string; total: number; delivered: number; pending: number; expired: number };
  /** Reliable: `progress(id)` calls made while waiting. */
  progressPolls?: number;
}

/** Writes (flushes) to Redis sockets, classified by the first command of the written buffer. */
export interface RedisWriteCounts {
  total: number;
  /** Buffers starting with EVALSHA/EVAL: the store's Lua scripts (appends and acks). */
  scripts: number;
  /** Buffers starting with PUBLISH: the Socket.IO Redis adapter fanning messages out. */
  publish: number;
  other: number;
}

export interface Snapshot {
  cpuMicros: number;
  /** `process.memoryUsage()` of the server process, bytes (after a forced GC when `collectGarbage`). */
  heapUsed: number;
  rss: number;
  /** Sockets connected to the bench namespace right now. */
  connections: number;
  /** Runs of the bench's `@Reliable()` echo handler so far (0 on plain servers). */
  reliableHandlerRuns: number;
  redisWrites: RedisWriteCounts;
  /** Append script calls (`appendBatch`) and `ack` calls of the store (reliable servers only). */
  appends: number;
  acks: number;
  /** The server's event-loop delay since the previous snapshot. */
  loopDelay: LoopDelay;
}

export interface ReplyEnvelope {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type RequestEnvelope = ServerRequest & { id: number };
