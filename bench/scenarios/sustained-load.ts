/**
 * Scale figure 2 — sustained reliable messages per second on one node. `clients` real `ReliableClient`s
 * (distinct users) stay connected to one reliable server (Redis store) while an open-loop rate is stepped
 * up, each level for a bounded number of messages:
 * - emits: the server's `ReliableEmitter.toUser(user).emit`, message `k` to user `k % clients`, each
 *   client checking it gets its own messages exactly once and in order;
 * - sends: `client.send` to the `@Reliable()` echo handler, message `k` from client `k % clients`, each
 *   reply checked, the handler counted once per message.
 * Latency runs from each message's scheduled time (so a sender that falls behind shows as latency, not as
 * a politely lower rate). A level holds when every message arrived, the sender never had to wait for
 * `maxPending` messages under way nor lagged its schedule by more than the bound, and p99 ≤ the bound.
 * Each direction stops at its first level that does not hold.
 */
import { startCostMeter, type CostReading } from '../lib/cost-meter.js';
import { LoadFleet } from '../lib/load-fleet.js';
import { measurePacedEmits, measurePacedSends, type PacedOptions, type PacedRun } from '../lib/paced-runs.js';
import type { RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import type { LoadTarget } from '../lib/server-protocol.js';
import { sleep } from '../lib/timing.js';

export interface SustainedOptions {
  clients: number;
  connectConcurrency: number;
  /** Offered rates (msg/s), ascending. */
  emitLevels: number[];
  sendLevels: number[];
  /** Length of each level's schedule; its message count is rate × this. */
  levelMs: number;
  /** The p99 (and schedule lag) a level must stay under to hold. */
  p99BoundMs: number;
  maxPending: number;
  drainMs: number;
  /** A short run per direction before the levels (JIT, connection pools, Lua script load). */
  warmup: { count: number; ratePerSec: number };
  /**
   * Idle windows: the server alone (`emptyMs`), then with every client connected (`connectedMs`, a whole
   * presence heartbeat period, ttl / 3 = 10 s by default, so it holds one renewal of every connection).
   */
  idle: { emptyMs: number; connectedMs: number };
}

export interface SustainedLevel extends PacedRun {
  held: boolean;
  /** Why it did not hold. */
  reason?: string;
}

export interface SustainedResult {
  clients: number;
  connectMs: number;
  /** The clients connected and nothing sent: the background (heartbeats, presence renewals) every level also pays. */
  idle: CostReading;
  /** The server alone, before any client connected: what the node costs with no connection at all. */
  empty: CostReading;
  emits: SustainedLevel[];
  sends: SustainedLevel[];
  /** Highest offered rate that held (NaN when none did). */
  sustainedEmitsPerSec: number;
  sustainedSendsPerSec: number;
  /** Messages handled outside any level: the late tail of a level that did not hold (0 otherwise). */
  strayMessages: number;
}

/** Pause between levels: the acks and timers of one level should not be the next one's load. */
const BETWEEN_LEVELS_MS = 500;

function judge(run: PacedRun, boundMs: number): SustainedLevel {
  const reason = run.failure
    ?? (run.loop.stalled ? `sender hit ${run.loop.maxPending} messages under way` : undefined)
    ?? (run.loop.maxLagMs > boundMs ? `sender lagged its schedule by ${Math.round(run.loop.maxLagMs)} ms` : undefined)
    ?? (run.p99Ms > boundMs ? `p99 ${Math.round(run.p99Ms)} ms over ${boundMs} ms` : undefined);
  return { ...run, held: reason === undefined, reason };
}

/** Runs `measure` at each level in turn until one does not hold. */
async function stepUp(levels: number[], options: SustainedOptions, measure: (paced: PacedOptions) => Promise<PacedRun>): Promise<SustainedLevel[]> {
  const results: SustainedLevel[] = [];
  for (const ratePerSec of levels) {
    const count = Math.round((ratePerSec * options.levelMs) / 1000);
    const level = judge(await measure({ count, ratePerSec, maxPending: options.maxPending, drainMs: options.drainMs }), options.p99BoundMs);
    results.push(level);
    if (!level.held) break;
    await sleep(BETWEEN_LEVELS_MS);
  }
  return results;
}

async function idleWindow(server: ServerHandle, redis: RedisStats, ms: number): Promise<CostReading> {
  const stop = await startCostMeter(server, redis);
  await sleep(ms);
  return stop();
}

function highestHeld(levels: SustainedLevel[]): number {
  const held = levels.filter((level) => level.held).map((level) => level.offeredPerSec);
  return held.length > 0 ? Math.max(...held) : Number.NaN;
}

export async function runSustainedLoad(server: ServerHandle, redis: RedisStats, options: SustainedOptions): Promise<SustainedResult> {
  const users = Array.from({ length: options.clients }, (_, index) => `sus-${process.pid}-${index}`);
  const targets: LoadTarget[] = users.map((name) => ({ kind: 'user', name }));
  const empty = await idleWindow(server, redis, options.idle.emptyMs);
  const started = performance.now();
  const fleet = await LoadFleet.open(server, users, { concurrency: options.connectConcurrency, syncTimeoutMs: 30_000 });
  const connectMs = performance.now() - started;
  try {
    const warmup = { ...options.warmup, maxPending: options.maxPending, drainMs: options.drainMs };
    const emitsOf = (paced: PacedOptions): Promise<PacedRun> => measurePacedEmits(server, redis, fleet, targets, paced);
    const sendsOf = (paced: PacedOptions): Promise<PacedRun> => measurePacedSends(server, redis, fleet, paced);
    for (const warm of [emitsOf, sendsOf]) {
      const run = await warm(warmup);
      if (run.failure) throw new Error(`sustained-load warm-up ${run.direction}s failed: ${run.failure}`);
    }
    // After the warm-up, so the connections' own trailing work (presence connects, first acks) is over.
    const idle = await idleWindow(server, redis, options.idle.connectedMs);
    const emits = await stepUp(options.emitLevels, options, emitsOf);
    const sends = await stepUp(options.sendLevels, options, sendsOf);
    return {
      clients: options.clients, connectMs, idle, empty, emits, sends, sustainedEmitsPerSec: highestHeld(emits), sustainedSendsPerSec: highestHeld(sends), strayMessages: fleet.stray,
    };
  } finally {
    await fleet.close();
  }
}
