import { io, type Socket } from 'socket.io-client';
import { ReliableClient, type ReliableClientOptions, type StorageLike } from '@reliable-socket/client';
import type { Inbox } from './inbox.js';
import { BENCH_EVENT, BENCH_NAMESPACE, WELCOME_EVENT, type BenchPayload } from './payload.js';
import type { ServerHandle } from './server-handle.js';
import { withDeadline } from './timing.js';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A `ReliableClient` for `user` whose handler feeds `inbox`. Constructed synchronously, so a caller can
 * time from construction; it connects by itself once its storage is read. `options` adds SDK options
 * (a fixed `storageKey`, say) to the bench's auth and storage.
 */
export function reliableClient(
  server: ServerHandle, user: string, storage: StorageLike, inbox?: Inbox, options: Omit<ReliableClientOptions, 'auth' | 'storage'> = {},
): ReliableClient {
  const client = new ReliableClient(`${server.url}${BENCH_NAMESPACE}`, { ...options, auth: { user }, storage });
  if (inbox) client.on<BenchPayload>(BENCH_EVENT, (payload, meta) => inbox.record(payload.seq, meta.offset));
  return client;
}

/**
 * Resolves when the server has replayed everything and made the client live (`rs:synced` on the wire).
 * The SDK signals `recovered` only when something was replayed, so a fresh client is watched on its socket.
 */
export function whenSynced(client: ReliableClient, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const synced = new Promise<void>((resolve) => client.socket.once('rs:synced', () => resolve()));
  return withDeadline(synced, timeoutMs, 'rs:synced');
}

/**
 * A plain socket.io-client on the bench namespace (websocket, no reconnection), connected — and, with
 * `awaitWelcome`, holding the first packet offset of a server with connection state recovery.
 */
export async function plainClient(server: ServerHandle, user: string, inbox?: Inbox, awaitWelcome = false): Promise<Socket> {
  const socket = io(`${server.url}${BENCH_NAMESPACE}`, { transports: ['websocket'], auth: { user }, reconnection: false, forceNew: true });
  if (inbox) socket.on(BENCH_EVENT, (payload: BenchPayload) => inbox.record(payload.seq));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once(awaitWelcome ? WELCOME_EVENT : 'connect', () => resolve());
    socket.once('connect_error', reject);
  });
  await withDeadline(connected, CONNECT_TIMEOUT_MS, `plain client ${user} connect`).catch((error: unknown) => {
    socket.disconnect();
    throw error;
  });
  return socket;
}
