import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect/backoff.js';
import { REQUEST_TIMEOUT_MS } from './request/ack.request.js';
import { defaultStorage } from './storage/memory.storage.js';
import type { StorageLike } from './storage/storage-like.interface.js';
import { defaultStorageKey } from './storage/storage.keys.js';

/**
 * The application's handshake `auth`, or a function producing it (called again on every connection and
 * every `refreshAuth()`; only a function allows the automatic refresh before expiry).
 */
export type AuthSource = object | (() => object | Promise<object>);

/**
 * Options of {@link ReliableClient}. Every field is optional.
 *
 * @example
 * const client = new ReliableClient('https://api.example.com/chat', {
 *   auth: async () => ({ token: await session.freshToken() }),
 *   storage: window.sessionStorage,
 *   reconnect: { baseMs: 500, maxMs: 30_000 },
 * });
 */
export interface ReliableClientOptions {
  /** Handshake `auth`. A function is re-evaluated on every (re)connect, so an expired token gets refreshed. */
  auth?: AuthSource;
  /**
   * Where cursors survive reloads; sync or async. Default: `globalThis.localStorage` when usable,
   * else an in-memory {@link MemoryStorage} (Node).
   */
  storage?: StorageLike;
  /** Prefix of the storage keys. Default `reliable-socket:${url}`. */
  storageKey?: string;
  /** Extra socket.io-client options. Default transport: `['websocket']`. */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** Acks are cumulative and sent at most this often. Default 50. */
  ackIntervalMs?: number;
  /** How long a live message after a hole waits for the hole to fill before it is fetched. Default 250. */
  gapHoldMs?: number;
  /** How long {@link ReliableClient.probe} waits for the server. Default 2000. */
  probeTimeoutMs?: number;
  /** Reconnect (and fetch retry) backoff with full jitter. Default `{ baseMs: 250, maxMs: 10000 }`. */
  reconnect?: BackoffOptions;
  /** Connect as soon as the stored cursors are loaded. Default true; otherwise call `connect()`. */
  autoConnect?: boolean;
  /** Reliable messages (`send()`) awaiting their ack at once; the others wait in the outbox. Default 32. */
  maxInFlight?: number;
  /**
   * Default `timeoutMs` of `send()`: its promise rejects with `TIMEOUT` after this long, while the message
   * stays queued and is retried until acked or cancelled. Default: none, `send()` waits until acked.
   */
  sendTimeoutMs?: number;
  /** An attempt of `send()` without an ack after this long is sent again (the server dedupes). Default 10000. */
  ackTimeoutMs?: number;
  /**
   * When the server says the credential expires (`rs:session`) and `auth` is a function, `refreshAuth()`
   * runs automatically this long before expiry, but at least 10% and at most half of the remaining
   * lifetime before it (so short-lived tokens are not refreshed in a loop). Default 30000.
   */
  refreshLeadMs?: number;
  /** How long `refreshAuth()` and presence requests wait for the server's reply. Default 5000. */
  requestTimeoutMs?: number;
}

export interface ResolvedClientOptions {
  auth: AuthSource | undefined;
  storage: StorageLike;
  storageKey: string;
  socket: Partial<ManagerOptions & SocketOptions>;
  ackIntervalMs: number;
  gapHoldMs: number;
  probeTimeoutMs: number;
  reconnect: Required<BackoffOptions>;
  autoConnect: boolean;
  maxInFlight: number;
  sendTimeoutMs: number | undefined;
  ackTimeoutMs: number;
  refreshLeadMs: number;
  requestTimeoutMs: number;
}

export function resolveOptions(url: string, options: ReliableClientOptions): ResolvedClientOptions {
  return {
    auth: options.auth,
    storage: options.storage ?? defaultStorage(),
    storageKey: options.storageKey ?? defaultStorageKey(url),
    socket: options.socket ?? {},
    ackIntervalMs: options.ackIntervalMs ?? 50,
    gapHoldMs: options.gapHoldMs ?? 250,
    probeTimeoutMs: options.probeTimeoutMs ?? 2000,
    reconnect: { baseMs: options.reconnect?.baseMs ?? DEFAULT_BACKOFF.baseMs, maxMs: options.reconnect?.maxMs ?? DEFAULT_BACKOFF.maxMs },
    autoConnect: options.autoConnect ?? true,
    maxInFlight: windowSize(options.maxInFlight ?? 32),
    sendTimeoutMs: options.sendTimeoutMs,
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    refreshLeadMs: Math.max(0, options.refreshLeadMs ?? 30_000),
    requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
  };
}

/** A window below 1 (or NaN) would never send anything: at least 1. `Infinity` means no limit. */
function windowSize(maxInFlight: number): number {
  const size = Math.floor(maxInFlight);
  return size >= 1 ? size : 1;
}
