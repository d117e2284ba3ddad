/**
 * The reliable-socket wire contract, shared by the NestJS server module and every client.
 *
 * It rides on ordinary Socket.IO events, so a client in another language needs only its own
 * Socket.IO client plus the rules in docs/protocol.md. Nothing here imports socket.io, so the
 * server can depend on this file without pulling the client runtime in.
 */

/** Bumped on any incompatible change; sent in the handshake as `auth.rs.v`. */
export const PROTOCOL_VERSION = 1;

/** Socket.IO event names used by the protocol. Application events never start with `rs:`. */
export const WireEvent = {
  /** server → client: one live message of a stream ({@link LiveEnvelope}). */
  Message: 'rs:msg',
  /** server → client: several live messages of one stream stored together ({@link LiveBatchEnvelope}); each is handled like an `rs:msg`. */
  Messages: 'rs:msgs',
  /** server → client, with an ack callback: a contiguous page of replayed or fetched messages ({@link BatchEnvelope}). */
  Batch: 'rs:batch',
  /** server → client: replay after (re)connect or a room join is complete ({@link SyncedEnvelope}). */
  Synced: 'rs:synced',
  /**
   * server → client: streams have messages up to these heads ({@link SyncedEnvelope} shape). Unlike
   * `rs:synced` it says nothing about what was sent: the client fetches whatever it lacks up to each head.
   * Sent after the server's live feed was interrupted (its Redis subscription dropped).
   */
  Head: 'rs:head',
  /** client → server: cumulative acknowledgements ({@link AckEnvelope}). */
  Ack: 'rs:ack',
  /** client → server, with an ack callback: read a range of a stream to fill a gap ({@link FetchRequest}). */
  Fetch: 'rs:fetch',
  /** client → server, with an ack callback: liveness probe; the server acks with `{ t }`. */
  Probe: 'rs:probe',
  /** server → client: session lifecycle signals ({@link ControlEnvelope}). */
  Control: 'rs:control',
  /** server → client, right after connecting: who the session is ({@link SessionEnvelope}). */
  Session: 'rs:session',
  /** client → server, with an ack callback: a fresh credential for the live connection ({@link ReauthRequest}). */
  Reauth: 'rs:auth',
  /** client → server, with an ack callback: follow a room's presence ({@link PresenceSubscribeRequest}). */
  PresenceSubscribe: 'rs:presence:subscribe',
  /** client → server, with an ack callback: stop following a room's presence. */
  PresenceUnsubscribe: 'rs:presence:unsubscribe',
  /** server → client: a member of a followed room came online or went offline ({@link PresenceEnvelope}). */
  Presence: 'rs:presence',
  /**
   * client → server, without an ack callback: messages to `@Reliable()` handlers, several in one packet
   * ({@link SendBatchItem}[], at most {@link MAX_SEND_BATCH}). Their replies come as `rs:reply`.
   */
  Send: 'rs:send',
  /** server → client: replies to `rs:send` messages ({@link SendReplyItem}[]), each as soon as it is ready. */
  Reply: 'rs:reply',
} as const;

/** The handshake field the SDK merges into the application's own `auth` object. */
export const HANDSHAKE_FIELD = 'rs';

/** Position of a client in one stream: the last offset it has handled, in a given epoch. */
export interface Cursor {
  epoch: string;
  offset: number;
}

/** Whether `value` is a well-formed {@link Cursor}: what a stored or received cursor must look like to be used. */
export function isCursor(value: unknown): value is Cursor {
  const cursor = value as Cursor;
  return (
    typeof cursor === 'object' && cursor !== null &&
    typeof cursor.epoch === 'string' &&
    Number.isSafeInteger(cursor.offset) && cursor.offset >= 0
  );
}

/** `auth.rs` in the Socket.IO handshake. */
export interface HandshakeState {
  v: number;
  /**
   * Identifies this client instance (one per tab or app process) across its reconnects. With one
   * session per user, a reconnect carrying the holder's own id takes its place instead of being
   * refused or treated as a second tab.
   */
  session?: string;
  /** Cursors by stream name. Streams absent here start where the server decides (see docs/protocol.md). */
  cursors: Record<string, Cursor>;
}

/** A message as stored and replayed. Offsets are contiguous per stream, starting at 1. */
export interface WireMessage {
  offset: number;
  event: string;
  data: unknown;
  /** Server time of the append, in ms since the epoch. */
  ts: number;
  /** After this time (ms since the epoch) the message is stale: the client skips its handlers but still counts it as handled. */
  expiresAt?: number;
}

/** `rs:msg` payload. */
export interface LiveEnvelope extends WireMessage {
  stream: string;
  epoch: string;
}

/**
 * `rs:msgs` payload: live messages of one stream with contiguous offsets, in order. Unlike a batch it
 * says nothing about what precedes it: a hole before it is filled like any live hole.
 */
export interface LiveBatchEnvelope {
  stream: string;
  epoch: string;
  messages: WireMessage[];
}

/**
 * `rs:batch` payload and `rs:fetch` reply: messages `after + 1 …` of one stream, contiguous.
 * `after` larger than the client's cursor means the range in between no longer exists (trimmed).
 */
export interface BatchEnvelope {
  stream: string;
  epoch: string;
  after: number;
  messages: WireMessage[];
  /**
   * Set when `after` is where the user's room membership starts: messages up to `after` were never
   * meant for this user, so the client moves its cursor there silently instead of signalling a gap.
   */
  joined?: boolean;
}

/** One stream's state at the end of a sync: the client's cursor should reach `head`. */
export interface StreamHead {
  stream: string;
  epoch: string;
  head: number;
}

/** `rs:synced` payload. */
export interface SyncedEnvelope {
  streams: StreamHead[];
}

/** `rs:ack` payload: highest offset handled per stream, cumulative. */
export interface AckEnvelope {
  acks: Record<string, number>;
}

/** `rs:fetch` request. Without `after` the server starts where it would on a first connect. */
export interface FetchRequest {
  stream: string;
  after?: number;
  epoch?: string;
  limit?: number;
}

/** Reply to any request that failed. Application errors (`WsException`) may carry their own codes. */
export interface ErrorReply {
  error: { code: ErrorCodeValue | (string & {}); message: string; details?: unknown };
}

/**
 * Payload of a reliable client message. It is emitted under the application's own event name (the one
 * the `@Reliable()` handler subscribes to), with an ack callback that receives a {@link SendReply}.
 */
export interface SendEnvelope {
  /** Unique per message (the SDK uses a random UUID); retries reuse it, so the handler runs once. */
  id: string;
  /** Identifies the sending outbox (one per device storage); scopes `seq`. */
  sid: string;
  /** 1, 2, 3 … per (sid, event): ordered handlers process a sender's messages in this order. */
  seq: number;
  data: unknown;
}

/** Ack of a reliable client message: the handler's return value, or its error. */
export type SendReply = { ok: true; result: unknown } | ({ ok: false } & ErrorReply);

/** One message of an `rs:send` packet: the event of its `@Reliable()` handler, and its envelope. */
export type SendBatchItem = [event: string, envelope: SendEnvelope];

/** One reply of an `rs:reply` packet: the id of the message it answers, and the reply. */
export type SendReplyItem = [id: string, reply: SendReply];

/** Messages per `rs:send` packet at most: the server answers any beyond it with `BAD_REQUEST`. */
export const MAX_SEND_BATCH = 64;

/** Lifecycle signals the server pushes (session replaced, token expiring, node draining). */
export interface ControlEnvelope {
  /** `kicked`: the application disconnected this user (control plane); like `replaced`, do not reconnect by yourself. */
  type: 'replaced' | 'token_expired' | 'drain' | 'kicked';
  reason: string;
  /** For `drain`: reconnect after this many ms. */
  reconnectInMs?: number;
}

/** `rs:session` payload. */
export interface SessionEnvelope {
  userId: string;
  /** When the credential expires (ms since the epoch); the server ends the session then unless re-authenticated. */
  expiresAt?: number;
}

/** `rs:auth` request: the application's auth fields, as in the handshake. Reply: `{ ok: true, expiresAt? }` or an {@link ErrorReply}. */
export interface ReauthRequest {
  auth: Record<string, unknown>;
}

/** `rs:presence:subscribe` request. Reply: `{ ok: true, members: { userId, online }[] }` or an {@link ErrorReply}. */
export interface PresenceSubscribeRequest {
  room: string;
}

/** `rs:presence` payload. `fence` grows per user: an event with a lower fence than one already seen is stale. */
export interface PresenceEnvelope {
  room: string;
  userId: string;
  type: 'join' | 'leave';
  fence: number;
}

/** Why a range of a stream was skipped. */
export type GapReason = 'trimmed' | 'epoch';

/** A range the client will never receive. `to` is null when the range end is unknown (epoch change). */
export interface Gap {
  stream: string;
  from: number;
  to: number | null;
  reason: GapReason;
}

/** Error codes carried in `connect_error.data.code` and in error replies. */
export const ErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  BadRequest: 'BAD_REQUEST',
  Timeout: 'TIMEOUT',
  Internal: 'INTERNAL',
  Unavailable: 'UNAVAILABLE',
  SessionExists: 'SESSION_EXISTS',
  SessionReplaced: 'SESSION_REPLACED',
  TokenExpired: 'TOKEN_EXPIRED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  Cancelled: 'CANCELLED',
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Stream names are scoped to a namespace; the prefix tells the kind of recipient. */
export const StreamName = {
  user: (userId: string): string => `user:${userId}`,
  room: (room: string): string => `room:${room}`,
} as const;
