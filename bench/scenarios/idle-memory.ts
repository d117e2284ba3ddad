/**
 * Scenario 6 — what idle connections cost a server. `count` connections (each a distinct user) are
 * opened to one fresh server process and left idle; the server's heap (after a forced GC) and RSS are
 * read before and after, and divided by `count`. Servers: plain Socket.IO (the baseline), a Nest
 * gateway without the library (to tell Nest's share from the library's), and the reliable app (Redis
 * store, `@UniquePerNamespace()`, presence). For the latter the keys under its own key prefix and their
 * memory are measured (SCAN + MEMORY USAGE) before, while connected, and after every socket left, so
 * what a connection leaves behind in Redis shows too.
 * The clients are bare sockets that speak just enough of the protocol (see idle-sockets.ts).
 */
import { closeSockets, openIdleSockets } from '../lib/idle-sockets.js';
import type { RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import type { Snapshot } from '../lib/server-protocol.js';
import { now, sleep, waitUntil } from '../lib/timing.js';

export type IdleVariant = 'plain' | 'nest' | 'reliable';

export interface IdleOptions {
  count: number;
  /** Handshakes under way at once. */
  concurrency: number;
}

export interface IdleRun {
  variant: IdleVariant;
  count: number;
  /** Until the last socket was up (`connect`, or `rs:synced` for reliable). */
  connectMs: number;
  /** Median of {@link HEAP_READINGS} readings (see there). */
  heapBytesPerConnection: number;
  /** The highest of those readings. */
  heapPeakBytesPerConnection: number;
  rssBytesPerConnection: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  /** Reliable only: keys and Redis bytes added per connection while connected, and still there once all left. */
  redis?: { keysPerConnection: number; bytesPerConnection: number; keysLeftPerConnection: number; bytesLeftPerConnection: number };
}

/** Lets trailing per-connection work (presence writes, the first acks) land before the heap is read. */
/** Long enough for the last connections' handshake work (sync, presence, Redis replies) to finish on a loaded machine. */
const SETTLE_MS = 2_000;
const SERVER_COUNT_TIMEOUT_MS = 15_000;
/**
 * The heap is read this many times, a second apart, and the median kept, the highest reported beside it:
 * a single reading once came out ~3 KB per connection above the usual on a loaded machine (two runs in
 * seven, not seen again in the next three). The suspect, not proven, is periodic work in flight at the
 * reading, such as the renewal of every held session each 10 s (one Redis command per user).
 */
const HEAP_READINGS = 3;
const HEAP_READING_INTERVAL_MS = 1_000;

export async function measureIdleMemory(
  server: ServerHandle, variant: IdleVariant, options: IdleOptions, keys?: { redis: RedisStats; prefix: string },
): Promise<IdleRun> {
  const { count, concurrency } = options;
  const keyStats = async (): Promise<{ keys: number; bytes: number }> => (keys ? keys.redis.keyStats(keys.prefix) : { keys: 0, bytes: 0 });
  const before = await server.snapshot(true);
  const keysBefore = await keyStats();

  const started = now();
  const sockets = await openIdleSockets(server, `idle-${variant}`, count, concurrency, variant === 'reliable');
  let run: IdleRun;
  let keysConnected: { keys: number; bytes: number };
  try {
    const connectMs = now() - started;
    await waitUntil(async () => (await server.snapshot()).connections === count, `${server.kind} to hold ${count} sockets`, SERVER_COUNT_TIMEOUT_MS, 100);
    await sleep(SETTLE_MS);
    const readings: Snapshot[] = [];
    for (let reading = 0; reading < HEAP_READINGS; reading += 1) {
      if (reading > 0) await sleep(HEAP_READING_INTERVAL_MS);
      readings.push(await server.snapshot(true));
    }
    const after = readings[readings.length - 1];
    const heaps = readings.map((snapshot) => snapshot.heapUsed).sort((a, b) => a - b);
    const heapUsed = heaps[Math.floor(heaps.length / 2)];
    keysConnected = await keyStats();
    if (after.connections !== count) throw new Error(`${server.kind}: ${count - after.connections} idle sockets dropped while idle`);
    run = {
      variant,
      count,
      connectMs,
      heapBytesPerConnection: (heapUsed - before.heapUsed) / count,
      heapPeakBytesPerConnection: (heaps[heaps.length - 1] - before.heapUsed) / count,
      rssBytesPerConnection: (after.rss - before.rss) / count,
      heapBeforeBytes: before.heapUsed,
      heapAfterBytes: heapUsed,
    };
  } finally {
    closeSockets(sockets);
  }
  await waitUntil(async () => (await server.snapshot()).connections === 0, `${server.kind} to see ${count} sockets leave`, SERVER_COUNT_TIMEOUT_MS, 100);
  if (keys) {
    // Releases are asynchronous Redis calls after each disconnect: give them the same settle time.
    await sleep(SETTLE_MS);
    const keysLeft = await keyStats();
    run.redis = {
      keysPerConnection: (keysConnected.keys - keysBefore.keys) / count,
      bytesPerConnection: (keysConnected.bytes - keysBefore.bytes) / count,
      keysLeftPerConnection: (keysLeft.keys - keysBefore.keys) / count,
      bytesLeftPerConnection: (keysLeft.bytes - keysBefore.bytes) / count,
    };
  }
  return run;
}

export interface IdleResult {
  plain: IdleRun;
  nest: IdleRun;
  reliable: IdleRun;
  /** The count asked for; `count` of the runs is lower when the open-file limit could not hold it. */
  requested: number;
  openFileLimit: number;
}

type IdleServerKind = 'plain' | 'nest-plain' | 'reliable-unique-redis';
const SERVER_OF: Record<IdleVariant, IdleServerKind> = { plain: 'plain', nest: 'nest-plain', reliable: 'reliable-unique-redis' };

/** File descriptors the bench process keeps for itself beside the idle sockets (Redis, IPC, the other scenarios' leftovers). */
const FD_HEADROOM = 500;

/**
 * Each kind on a fresh server process of its own (so its heap holds nothing but the idle sockets), one
 * after the other (so they never share the two cores, and the bench never holds twice `count` sockets).
 * `start` starts a server whose keys go under `keyPrefix`.
 */
export async function runIdleMemory(
  start: (kind: IdleServerKind, keyPrefix: string) => Promise<ServerHandle>,
  redis: RedisStats, keyPrefix: string, options: IdleOptions & { openFileLimit: number },
): Promise<IdleResult> {
  const count = Math.min(options.count, options.openFileLimit - FD_HEADROOM);
  if (count < 1) throw new Error(`the open-file limit (${options.openFileLimit}) leaves no room for idle sockets; raise it with ulimit -n`);
  const measure = async (variant: IdleVariant): Promise<IdleRun> => {
    const kind = SERVER_OF[variant];
    // Its own prefix, so the SCAN counts this server's keys only (still under the run's, so they are deleted with it).
    const prefix = `${keyPrefix}idle-${variant}:`;
    const server = await start(kind, prefix);
    try {
      return await measureIdleMemory(server, variant, { count, concurrency: options.concurrency }, variant === 'reliable' ? { redis, prefix } : undefined);
    } finally {
      await server.stop();
    }
  };
  return { plain: await measure('plain'), nest: await measure('nest'), reliable: await measure('reliable'), requested: options.count, openFileLimit: options.openFileLimit };
}
