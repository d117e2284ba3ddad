/**
 * Scale figure 1 — connect storm on one node. `count` connections, each a distinct user, opened as fast
 * as `concurrency` handshakes at once allow, each variant against a fresh server process of its own:
 * - plain: bare socket.io-client sockets (websocket) to plain Socket.IO with the same handshake check,
 *   up at `connect`;
 * - reliable: real `ReliableClient`s (in-memory storage) to the reliable app (Redis store, handshake
 *   `authenticate`, presence), up at `rs:synced`, once the server's per-connection work is done.
 * Timed from the first attempt until the last is up. Then, with every connection open and after a forced
 * GC, the server's heap and RSS per connection (over its idle baseline) and this process's per client.
 * CPU of the server, of this process (all the clients) and of Redis during the storm tells where the limit was.
 */
import type { Socket } from 'socket.io-client';
import { coreShare, startCostMeter } from '../lib/cost-meter.js';
import { closeSockets, openIdleSockets } from '../lib/idle-sockets.js';
import { LoadFleet } from '../lib/load-fleet.js';
import { connectionsThatFit } from '../lib/machine.js';
import type { RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import type { ServerKind } from '../lib/server-protocol.js';
import { collectGarbage, now, sleep, waitUntil } from '../lib/timing.js';

export type StormVariant = 'plain' | 'reliable';

export interface StormOptions {
  count: number;
  concurrency: number;
  /** Connections opened and closed first on each fresh server (JIT, Redis scripts). */
  warmupCount: number;
  openFileLimit: number;
}

export interface StormRun {
  count: number;
  ms: number;
  perSec: number;
  /** Share of one core each process used during the storm; `machine`: all processes of the machine, in cores. */
  cores: { server: number; clients: number; redis: number; machine: number };
  /** Longest event-loop delay (ms) of the server process and of this one during the storm. */
  loopDelayMaxMs: { server: number; clients: number };
  /** Server process, over its baseline before the storm, after a forced GC. */
  serverHeapPerConnection: number;
  serverRssPerConnection: number;
  /** This (client) process, the same way. */
  clientHeapPerConnection: number;
  clientRssPerConnection: number;
  /** Reliable: SDK `error` events (refused or failed handshakes it retried); 0 for plain. */
  handshakeErrors: number;
}

export interface StormResult {
  requested: number;
  openFileLimit: number;
  plain: StormRun;
  reliable: StormRun;
  /** reliable ÷ plain connections per second. */
  ratio: number;
}

const SERVER_OF: Record<StormVariant, ServerKind> = { plain: 'plain', reliable: 'reliable-redis' };
/** One handshake may wait this long: thousands queue behind each other on two cores. */
const SYNC_TIMEOUT_MS = 30_000;
const SERVER_COUNT_TIMEOUT_MS = 30_000;
/** Lets trailing per-connection work (presence writes, first acks) land before the heap is read. */
const SETTLE_MS = 500;
/** Heap readings taken this far apart; the lower counts, so work passing through (a presence renewal of every connection) is not counted as held. */
const READINGS = 2;
const READING_GAP_MS = 1_000;

let runNumber = 0;

/** Opens `count` connections of `variant`; resolves to their closer and the SDK errors seen. */
async function openAll(server: ServerHandle, variant: StormVariant, count: number, concurrency: number): Promise<{ close: () => Promise<void>; errors: number }> {
  runNumber += 1;
  const prefix = `storm-${process.pid}-${runNumber}`;
  if (variant === 'plain') {
    const sockets: Socket[] = await openIdleSockets(server, prefix, count, concurrency, false);
    return { close: async () => closeSockets(sockets), errors: 0 };
  }
  const users = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  const fleet = await LoadFleet.open(server, users, { concurrency, syncTimeoutMs: SYNC_TIMEOUT_MS });
  return { close: () => fleet.close(), errors: fleet.errors };
}

const collectTwice = (): void => {
  for (let pass = 0; pass < 2; pass += 1) collectGarbage();
};

async function measureStorm(server: ServerHandle, redis: RedisStats, variant: StormVariant, count: number, concurrency: number): Promise<StormRun> {
  const serverBefore = await server.snapshot(true);
  collectTwice();
  const clientBefore = process.memoryUsage();
  const stop = await startCostMeter(server, redis);
  const started = now();
  const { close, errors } = await openAll(server, variant, count, concurrency);
  const ms = now() - started;
  try {
    const reading = await stop();
    await waitUntil(async () => (await server.snapshot()).connections === count, `${server.kind} to hold ${count} connections`, SERVER_COUNT_TIMEOUT_MS, 100);
    await sleep(SETTLE_MS);
    const serverAfter = { heapUsed: Number.POSITIVE_INFINITY, rss: Number.POSITIVE_INFINITY };
    for (let reading = 0; reading < READINGS; reading += 1) {
      if (reading > 0) await sleep(READING_GAP_MS);
      const { heapUsed, rss } = await server.snapshot(true);
      serverAfter.heapUsed = Math.min(serverAfter.heapUsed, heapUsed);
      serverAfter.rss = Math.min(serverAfter.rss, rss);
    }
    collectTwice();
    const clientAfter = process.memoryUsage();
    return {
      count, ms, perSec: (count / ms) * 1000,
      cores: {
        server: coreShare(reading.serverCpuMicros, ms), clients: coreShare(reading.benchCpuMicros, ms),
        redis: coreShare(reading.redisCpuMicros, ms), machine: coreShare(reading.machineCpuMicros, ms),
      },
      loopDelayMaxMs: { server: reading.serverLoopDelay.maxMs, clients: reading.benchLoopDelay.maxMs },
      serverHeapPerConnection: (serverAfter.heapUsed - serverBefore.heapUsed) / count,
      serverRssPerConnection: (serverAfter.rss - serverBefore.rss) / count,
      clientHeapPerConnection: (clientAfter.heapUsed - clientBefore.heapUsed) / count,
      clientRssPerConnection: (clientAfter.rss - clientBefore.rss) / count,
      handshakeErrors: errors,
    };
  } finally {
    await close();
    await waitUntil(async () => (await server.snapshot()).connections === 0, `${server.kind} to see every client leave`, SERVER_COUNT_TIMEOUT_MS, 100);
  }
}

/**
 * Plain first, then reliable, never both at once (so they never share the cores, and this process never
 * holds twice `count` sockets). `start` starts a fresh server whose Redis keys go under `keyPrefix`.
 */
export async function runConnectStorm(
  start: (kind: ServerKind, keyPrefix: string) => Promise<ServerHandle>, redis: RedisStats, keyPrefix: string, options: StormOptions,
): Promise<StormResult> {
  const count = connectionsThatFit(options.count, options.openFileLimit);
  if (count < 1) throw new Error(`the open-file limit (${options.openFileLimit}) leaves no room for connections; raise it with ulimit -n`);
  const measure = async (variant: StormVariant): Promise<StormRun> => {
    const server = await start(SERVER_OF[variant], `${keyPrefix}storm-${variant}:`);
    try {
      const warm = await openAll(server, variant, options.warmupCount, options.concurrency);
      await warm.close();
      await waitUntil(async () => (await server.snapshot()).connections === 0, 'warm-up clients to leave', SERVER_COUNT_TIMEOUT_MS, 100);
      return await measureStorm(server, redis, variant, count, options.concurrency);
    } finally {
      await server.stop();
    }
  };
  const plain = await measure('plain');
  const reliable = await measure('reliable');
  return { requested: options.count, openFileLimit: options.openFileLimit, plain, reliable, ratio: reliable.perSec / plain.perSec };
}
