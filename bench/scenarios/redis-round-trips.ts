/**
 * Scenario 3 — Redis round trips per emitted message, amortised, taken from the Redis runs of scenario 1.
 * A round trip is one write (pipeline flush) of the app process to a Redis socket, counted in the server
 * process. Everything the app sent during the run counts: appends, the adapter's PUBLISHes, and the
 * store's ack scripts triggered by the client's cumulative `rs:ack`s.
 */
import type { RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import { measureThroughput, type ThroughputRun } from './throughput.js';

export interface RoundTripFigures {
  messages: number;
  writesPerMessage: number;
  scriptWritesPerMessage: number;
  publishWritesPerMessage: number;
  otherWritesPerMessage: number;
  appendsPerMessage: number;
  acksPerMessage: number;
  /** EVALSHA + EVAL + PUBLISH executed, per message: what the app sends (any other request shows in `otherWritesPerMessage`). */
  sentCommandsPerMessage: number;
  /** Every command Redis executed, including those run inside the Lua scripts, per message, by name. */
  executedCommandsPerMessage: Record<string, number>;
}

/** What the app process sends; every other command in `INFO commandstats` ran inside a Lua script. */
const SENT_BY_APP = ['evalsha', 'eval', 'publish'];

/** Messages of the one-at-a-time run (each emit awaited before the next, as a request handler would). */
const SEQUENTIAL_COUNT = 2_000;

/**
 * Round trips per message when emits do not overlap, so auto-pipelining has nothing to batch: the
 * amortised figure above depends on the burst's concurrency, this one is the worst case.
 */
export async function sequentialWritesPerMessage(server: ServerHandle, redis: RedisStats): Promise<number> {
  const run = await measureThroughput(server, 'reliable-redis', redis, SEQUENTIAL_COUNT, 1);
  return run.redisWrites.total / run.count;
}

export function redisRoundTrips(runs: ThroughputRun[]): RoundTripFigures {
  const messages = runs.reduce((sum, run) => sum + run.count, 0);
  const sum = (pick: (run: ThroughputRun) => number): number => runs.reduce((total, run) => total + pick(run), 0) / messages;
  const executed: Record<string, number> = {};
  for (const run of runs) {
    for (const [name, calls] of Object.entries(run.redisCommands)) executed[name] = (executed[name] ?? 0) + calls / messages;
  }
  const sent = SENT_BY_APP.reduce((total, name) => total + (executed[name] ?? 0), 0);
  return {
    messages,
    writesPerMessage: sum((run) => run.redisWrites.total),
    scriptWritesPerMessage: sum((run) => run.redisWrites.scripts),
    publishWritesPerMessage: sum((run) => run.redisWrites.publish),
    otherWritesPerMessage: sum((run) => run.redisWrites.other),
    appendsPerMessage: sum((run) => run.appends),
    acksPerMessage: sum((run) => run.acks),
    sentCommandsPerMessage: sent,
    executedCommandsPerMessage: executed,
  };
}
