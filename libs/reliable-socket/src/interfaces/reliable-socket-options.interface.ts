import type { Cluster, RedisOptions, Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import type { RetentionPolicy } from '../store/stream.store.js';
import type { ReliableHandlerOptions, ResolvedReliableHandlerOptions } from '../handlers/reliable-handler.options.js';

/** The identity `authenticate` returns; stored as `socket.data.user`. */
export interface AuthenticatedUser {
  id: string;
  /** Optional: when the credential stops being valid (ms since epoch). */
  expiresAt?: number;
  [claim: string]: unknown;
}

/** The Socket.IO handshake (`auth`, `headers`, `query`, `address`…) handed to `authenticate`. */
export type Handshake = Socket['handshake'];

/**
 * Options of {@link ReliableSocketModule}.
 *
 * @example
 * ReliableSocketModule.forRoot({
 *   redis: process.env.REDIS_URL,
 *   authenticate: async (handshake) => ({ id: (await jwt.verifyAsync(handshake.auth.token)).sub }),
 * })
 */
export interface ReliableSocketOptions {
  /**
   * A Redis URL, ioredis options, or an ioredis `Redis` or `Cluster` instance. An instance is used as a
   * template: the library opens its own connections with its settings and never uses or quits yours.
   * Absent: an in-memory store for one process.
   */
  redis?: string | RedisOptions | Redis | Cluster;
  /**
   * Upper bound of every Redis call the library makes for an emit, a `@Reliable()` handler or a replay.
   * While Redis is unreachable a call waits up to this long for it to come back, then fails with
   * `StoreUnavailableError` (handlers reply `UNAVAILABLE`, which the SDK retries); a call that was never
   * sent is then never sent later. Lower it to fail faster. @default 5_000
   */
  redisTimeoutMs?: number;
  /** Verifies the handshake and returns the user. Throw (or reject) to refuse the connection. */
  authenticate?: (handshake: Handshake) => AuthenticatedUser | Promise<AuthenticatedUser>;
  /** Accept connections without `authenticate`; each socket is then its own anonymous user. @default false */
  allowAnonymous?: boolean;
  /** History kept per stream. @default { maxLength: 10_000, maxAgeMs: 24 h } */
  retention?: Partial<RetentionPolicy>;
  /** Prefix of every Redis key and channel. @default 'rs:' */
  keyPrefix?: string;
  /** Engine.IO heartbeat. Socket.IO's defaults (25 s + 20 s) take up to 45 s to notice a dead peer. @default { pingIntervalMs: 10_000, pingTimeoutMs: 5_000 } */
  heartbeat?: { pingIntervalMs?: number; pingTimeoutMs?: number };
  /** Messages per replay page. @default 500 */
  replayPageSize?: number;
  /** How long an `emit` idempotency key is remembered. @default 24 h */
  idempotencyTtlMs?: number;
  /** Namespace used by `ReliableEmitter` when `.of()` is not called and several gateways exist. */
  defaultNamespace?: string;
  /** Defaults of every `@Reliable()` handler (each can override them). */
  reliable?: Omit<ReliableHandlerOptions, 'ordered'>;
  /** Presence tracking. */
  presence?: PresenceOptions;
  /**
   * Graceful shutdown: on `app.close()` / SIGTERM the node stops accepting connections and asks its
   * clients to reconnect elsewhere, spread with jitter over this time, before it exits. @default 10_000
   */
  drainMs?: number;
  /** Prometheus metrics (prom-client). */
  metrics?: {
    /** Registry to register the metrics in. @default prom-client's global registry */
    registry?: unknown;
    /** Prefix of every metric name. @default 'reliable_socket_' */
    prefix?: string;
  };
}

/** Presence options. */
export interface PresenceOptions {
  /** A crashed node's connections leave presence within this time; live ones are renewed every third of it. @default 30_000 */
  ttlMs?: number;
  /** Whether a user may follow a room's presence (`client.presence.subscribe(room)`). Absent: nobody may. */
  canSubscribe?: (user: AuthenticatedUser, room: string) => boolean | Promise<boolean>;
}

/** Options after defaults are merged and values validated. */
export interface ResolvedReliableSocketOptions {
  redis?: string | RedisOptions | Redis | Cluster;
  redisTimeoutMs: number;
  authenticate?: (handshake: Handshake) => AuthenticatedUser | Promise<AuthenticatedUser>;
  allowAnonymous: boolean;
  retention: RetentionPolicy;
  keyPrefix: string;
  heartbeat: { pingIntervalMs: number; pingTimeoutMs: number };
  replayPageSize: number;
  idempotencyTtlMs: number;
  defaultNamespace?: string;
  reliable: ResolvedReliableHandlerOptions;
  presence: { ttlMs: number; canSubscribe?: PresenceOptions['canSubscribe'] };
  drainMs: number;
  metrics: { registry?: unknown; prefix: string };
}
