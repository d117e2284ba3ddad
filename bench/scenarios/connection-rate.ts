/**
 * Scenario 5 — connection setup rate. `count` connections, each a distinct user, at most `concurrency`
 * handshakes under way at once, timed from the first attempt until the last one is connected. They stay
 * open until all are up (as when every client of a node comes back after a deploy), then all close.
 * - plain: socket.io-client to a bare Socket.IO server (whose namespace middleware reads `auth.user`),
 *   counted at its `connect` event;
 * - reliable: `ReliableClient` to the Nest app with handshake `authenticate`, `@UniquePerNamespace()`
 *   (one Redis script per handshake) and presence, counted at the SDK's `connected` lifecycle event.
 * Verified: the server holds exactly `count` sockets, and every reliable client was told its own user.
 */
import { MemoryStorage, type ReliableClient } from '@reliable-socket/client';
import { plainClient, reliableClient } from '../lib/clients.js';
import { runBounded } from '../lib/emit-pool.js';
import { commandDeltas, type RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import { collectGarbage, median, now, percentile, sleep, waitUntil, withDeadline } from '../lib/timing.js';

export type ConnectVariant = 'plain' | 'reliable';

export interface ConnectOptions {
  count: number;
  concurrency: number;
  warmupCount: number;
  rounds: number;
}

export interface ConnectRun {
  variant: ConnectVariant;
  count: number;
  ms: number;
  connectionsPerSec: number;
  /** Per connection, from its construction until it connected. */
  p50Ms: number;
  p99Ms: number;
  /**
   * Per connection, connect and disconnect together: Redis writes (round trips) of the server process,
   * and commands Redis executed by name (`INFO commandstats`, server-wide, Lua-internal included).
   */
  redisWritesPerConnection: number;
  redisCommandsPerConnection: Record<string, number>;
}

export interface ConnectResult {
  runs: Record<ConnectVariant, ConnectRun[]>;
  medianPerSec: Record<ConnectVariant, number>;
  medianP50Ms: Record<ConnectVariant, number>;
  medianP99Ms: Record<ConnectVariant, number>;
  /** Median over rounds of (reliable ÷ plain in the same round). */
  ratio: number;
}

/** Longer than a plain socket's own 5 s: 50 reliable handshakes at once queue behind each other. */
const CONNECT_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 60_000;
/** Time for the server to take note of `count` departures before the next run starts. */
const DRAIN_TIMEOUT_MS = 10_000;
const RELEASE_SETTLE_MS = 200;

let runNumber = 0;

/** Resolves once the SDK says it is connected; rejects on its first error (a refused handshake). */
function whenConnected(client: ReliableClient, user: string): Promise<void> {
  const connected = new Promise<void>((resolve, reject) => {
    client.lifecycle.on('connected', () => resolve());
    client.lifecycle.on('error', ({ message }) => reject(new Error(`${user}: ${message}`)));
  });
  return withDeadline(connected, CONNECT_TIMEOUT_MS, `reliable client ${user} connect`);
}

export async function measureConnections(server: ServerHandle, variant: ConnectVariant, redis: RedisStats, count: number, concurrency: number): Promise<ConnectRun> {
  runNumber += 1;
  const users = Array.from({ length: count }, (_, index) => `cn-${variant}-${runNumber}-${index}`);
  const closers: Array<() => Promise<void>> = [];
  const reliableClients: ReliableClient[] = [];
  const latencies = new Float64Array(count);
  let ms = 0;
  const before = await server.snapshot(true);
  const redisBefore = await redis.snapshot();
  try {
    collectGarbage();
    const started = now();
    await withDeadline(runBounded(count, concurrency, async (index) => {
      const attemptAt = now();
      if (variant === 'plain') {
        const socket = await plainClient(server, users[index]);
        closers.push(async () => void socket.disconnect());
      } else {
        const client = reliableClient(server, users[index], new MemoryStorage());
        closers.push(() => client.close());
        reliableClients[index] = client;
        await whenConnected(client, users[index]);
      }
      latencies[index] = now() - attemptAt;
    }), RUN_TIMEOUT_MS, `${count} ${variant} connections`);
    ms = now() - started;

    const { connections } = await server.snapshot();
    if (connections !== count) throw new Error(`${server.kind}: ${connections} sockets connected, expected ${count}`);
    if (variant === 'reliable') {
      // rs:session follows the connect: each client must learn that it is its own user, and still hold its session.
      await waitUntil(() => reliableClients.every((client) => client.session !== undefined), 'every rs:session', CONNECT_TIMEOUT_MS);
      reliableClients.forEach((client, index) => {
        if (client.session?.userId !== users[index] || client.state !== 'connected') {
          throw new Error(`reliable client ${users[index]}: session ${JSON.stringify(client.session)}, state ${client.state}`);
        }
      });
    }
  } finally {
    await Promise.all(closers.map((close) => close()));
  }
  await waitUntil(async () => (await server.snapshot()).connections === 0, `${server.kind} to see every client leave`, DRAIN_TIMEOUT_MS, 50);
  // The releases after each disconnect are asynchronous: let them land in the counts.
  await sleep(RELEASE_SETTLE_MS);
  const [after, redisAfter] = await Promise.all([server.snapshot(), redis.snapshot()]);
  const commands = Object.entries(commandDeltas(redisBefore, redisAfter)).map(([name, calls]) => [name, calls / count] as const);
  return {
    variant, count, ms, connectionsPerSec: (count / ms) * 1000, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    redisWritesPerConnection: (after.redisWrites.total - before.redisWrites.total) / count,
    redisCommandsPerConnection: Object.fromEntries(commands),
  };
}

/** A warm-up run per variant, then `rounds` rounds of plain then reliable. */
export async function runConnectionRate(servers: Record<ConnectVariant, ServerHandle>, redis: RedisStats, options: ConnectOptions): Promise<ConnectResult> {
  const variants: ConnectVariant[] = ['plain', 'reliable'];
  for (const variant of variants) await measureConnections(servers[variant], variant, redis, options.warmupCount, options.concurrency);
  const runs: Record<ConnectVariant, ConnectRun[]> = { plain: [], reliable: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const variant of variants) runs[variant].push(await measureConnections(servers[variant], variant, redis, options.count, options.concurrency));
  }
  const byVariant = (pick: (run: ConnectRun) => number): Record<ConnectVariant, number> =>
    ({ plain: median(runs.plain.map(pick)), reliable: median(runs.reliable.map(pick)) });
  return {
    runs,
    medianPerSec: byVariant((run) => run.connectionsPerSec),
    medianP50Ms: byVariant((run) => run.p50Ms),
    medianP99Ms: byVariant((run) => run.p99Ms),
    ratio: median(runs.reliable.map((run, round) => run.connectionsPerSec / runs.plain[round].connectionsPerSec)),
  };
}
