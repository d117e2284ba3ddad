/**
 * Scenario 1 — throughput to one connected client. The server emits `count` messages to one user; the
 * clock runs from the bench's burst request until the client's handler has run `count` times.
 * Plain: `socket.emit` in a loop. Reliable: `emitter.toUser(user).emit`, `concurrency` at a time.
 */
import { MemoryStorage } from '@reliable-socket/client';
import { Inbox } from '../lib/inbox.js';
import { plainClient, reliableClient, whenSynced } from '../lib/clients.js';
import { commandDeltas, type RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import type { RedisWriteCounts } from '../lib/server-protocol.js';
import { collectGarbage, cpuMicros, median, now, sleep } from '../lib/timing.js';

export type ThroughputVariant = 'plain' | 'reliable-redis' | 'reliable-memory';

export interface ThroughputOptions {
  count: number;
  warmupCount: number;
  concurrency: number;
  rounds: number;
}

/** One measured run; counters are deltas over the run (server ones include the client's final ack). */
export interface ThroughputRun {
  variant: ThroughputVariant;
  count: number;
  ms: number;
  msgsPerSec: number;
  serverEmitMs: number;
  cpuMicros: { server: number; client: number; redis: number };
  redisWrites: RedisWriteCounts;
  appends: number;
  acks: number;
  redisCommands: Record<string, number>;
}

export interface ThroughputResult {
  runs: Record<ThroughputVariant, ThroughputRun[]>;
  medianMsgsPerSec: Record<ThroughputVariant, number>;
  /**
   * Median over rounds of (variant ÷ plain in the same round). Pairing runs of one round cancels slow
   * drift in machine load, which a ratio of the two medians would not.
   */
  ratioToPlain: Record<ThroughputVariant, number>;
}

/** Longest a run may take before it counts as failed: 20,000 messages would have to crawl at under ~700/s. */
const RUN_TIMEOUT_MS = 30_000;
/** The client acks cumulatively at most every 50 ms: waiting this long after the last message lets that ack land in the counts. */
const ACK_SETTLE_MS = 150;

let runNumber = 0;

/** A connected client for a brand-new user (its stream starts at offset 1), feeding `inbox`; returns its closer. */
async function connectClient(server: ServerHandle, variant: ThroughputVariant, user: string, inbox: Inbox): Promise<() => Promise<void>> {
  if (variant === 'plain') {
    const socket = await plainClient(server, user, inbox);
    return async () => void socket.disconnect();
  }
  const client = reliableClient(server, user, new MemoryStorage(), inbox);
  try {
    await whenSynced(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  return () => client.close();
}

export async function measureThroughput(server: ServerHandle, variant: ThroughputVariant, redis: RedisStats, count: number, concurrency: number): Promise<ThroughputRun> {
  runNumber += 1;
  const user = `tp-${variant}-${runNumber}`;
  const inbox = new Inbox(count, variant === 'plain' ? 'seq' : 'offset');
  const close = await connectClient(server, variant, user, inbox);
  try {
    const serverBefore = await server.snapshot(true);
    collectGarbage();
    const redisBefore = await redis.snapshot();
    const clientBefore = cpuMicros();

    const started = now();
    const burst = server.burst({ user, count, concurrency, via: 'socket' });
    burst.catch((error: Error) => inbox.fail(error));
    const completedAt = await inbox.waitComplete(RUN_TIMEOUT_MS, `${variant} throughput`);
    const clientCpu = cpuMicros() - clientBefore;
    const { emitMs } = await burst;

    await sleep(ACK_SETTLE_MS);
    const [serverAfter, redisAfter] = await Promise.all([server.snapshot(), redis.snapshot()]);
    inbox.verify(`${variant} throughput`);
    const ms = completedAt - started;
    const writes = (key: keyof RedisWriteCounts): number => serverAfter.redisWrites[key] - serverBefore.redisWrites[key];
    return {
      variant,
      count,
      ms,
      msgsPerSec: (count / ms) * 1000,
      serverEmitMs: emitMs,
      cpuMicros: { server: serverAfter.cpuMicros - serverBefore.cpuMicros, client: clientCpu, redis: redisAfter.cpuMicros - redisBefore.cpuMicros },
      redisWrites: { total: writes('total'), scripts: writes('scripts'), publish: writes('publish'), other: writes('other') },
      appends: serverAfter.appends - serverBefore.appends,
      acks: serverAfter.acks - serverBefore.acks,
      redisCommands: commandDeltas(redisBefore, redisAfter),
    };
  } finally {
    await close();
  }
}

/**
 * One warm-up run per variant (JIT, connection pools, Lua script load), then `rounds` rounds that
 * each measure every variant once, interleaved so that drift in machine state hits all alike.
 */
export async function runThroughput(servers: Record<ThroughputVariant, ServerHandle>, redis: RedisStats, options: ThroughputOptions): Promise<ThroughputResult> {
  const variants = Object.keys(servers) as ThroughputVariant[];
  for (const variant of variants) await measureThroughput(servers[variant], variant, redis, options.warmupCount, options.concurrency);
  const runs = Object.fromEntries(variants.map((variant) => [variant, [] as ThroughputRun[]])) as Record<ThroughputVariant, ThroughputRun[]>;
  for (let round = 0; round < options.rounds; round += 1) {
    for (const variant of variants) runs[variant].push(await measureThroughput(servers[variant], variant, redis, options.count, options.concurrency));
  }
  const byVariant = <T>(compute: (variant: ThroughputVariant) => T): Record<ThroughputVariant, T> =>
    Object.fromEntries(variants.map((variant) => [variant, compute(variant)])) as Record<ThroughputVariant, T>;
  return {
    runs,
    medianMsgsPerSec: byVariant((variant) => median(runs[variant].map((run) => run.msgsPerSec))),
    ratioToPlain: byVariant((variant) => median(runs[variant].map((run, round) => run.msgsPerSec / runs.plain[round].msgsPerSec))),
  };
}
