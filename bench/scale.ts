/**
 * `npm run bench:scale`: the scale figures of one node (issue 7), one table per figure, printed as each
 * finishes: 1. a connect storm of 10,000 SDK clients against plain Socket.IO; 2. the sustained reliable
 * message rate with 1,000 connected clients; 3. how the per-message cost grows with stream length and
 * rooms per user; 4. what one Redis primary and a Redis Cluster carry. Servers run in child processes,
 * clients here (as in `npm run bench`, which this does not touch). `BENCH_ONLY=connect-storm` (or
 * `sustained-load`, `cost-curves`, `redis-capacity`; comma-separated for several) runs only those.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { machineFacts, type MachineFacts } from './lib/machine.js';
import { withBenchSession } from './lib/bench-session.js';
import type { RedisStats } from './lib/redis-stats.js';
import { renderCapacity, renderCostCurves } from './lib/report-scale-cost.js';
import { renderStorm, renderSustained } from './lib/report-scale-load.js';
import { formatFixed, formatInt } from './lib/table.js';
import { sleep } from './lib/timing.js';
import { runConnectStorm } from './scenarios/connect-storm.js';
import { runCostCurves, type CostCurveResult } from './scenarios/cost-curves.js';
import { connectionBackground, estimateCapacity, measureUnitCosts, messageMix, type MessageMix } from './scenarios/redis-capacity.js';
import { runSustainedLoad, type SustainedLevel, type SustainedResult } from './scenarios/sustained-load.js';

const CONFIG = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Fewer when `ulimit -n` cannot hold them (the report says so). */
  storm: { count: 10_000, concurrency: 250, warmupCount: 200 },
  sustained: {
    clients: 1_000, connectConcurrency: 100, emitLevels: [500, 1_000, 2_000, 4_000, 8_000], sendLevels: [250, 500, 1_000, 2_000, 4_000],
    levelMs: 4_000, p99BoundMs: 100, maxPending: 2_000, drainMs: 5_000, warmup: { count: 1_000, ratePerSec: 1_000 },
    idle: { emptyMs: 5_000, connectedMs: 10_000 },
  },
  costs: { lengths: [0, 10_000, 100_000, 1_000_000], defaultCap: 10_000, rooms: [1, 10, 100], count: 2_000, ratePerSec: 1_000 },
  /** Keeps every message of the longest stream of the cost curves. */
  longRetention: 1_100_000,
  capacity: { requests: 100_000, clients: 50, pipeline: 16, keyspace: 1_000 },
  /** The whole run is abandoned past this (the build before it takes 15-30 s of the ~6 min budget). */
  hardLimitMs: 330_000,
};

const FIGURES = ['connect-storm', 'sustained-load', 'cost-curves', 'redis-capacity'] as const;
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const runs = (figure: (typeof FIGURES)[number]): boolean => !ONLY || ONLY.includes(figure);
const unknown = ONLY?.filter((name) => !(FIGURES as readonly string[]).includes(name)) ?? [];
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown figure ${unknown.join(', ')}; known: ${FIGURES.join(', ')}`);

const log = (message: string): void => console.log(`· ${message}`);
/** Load average, and Linux's CPU pressure (share of time some runnable task waited for a CPU) where the kernel has it. */
function machineLoad(): string {
  const average = os.loadavg().map((value) => formatFixed(value, 2)).join(' ');
  let pressure = '';
  try {
    const some = /^some avg10=([\d.]+) avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    if (some) pressure = `, CPU pressure ${some[1]} % (10 s) ${some[2]} % (60 s)`;
  } catch {
    // No PSI on this kernel: the load average says enough.
  }
  return `load average ${average}${pressure}`;
}

/** Commands/s other clients run on this Redis while the bench sits still: the noise in its server-wide counters. */
async function backgroundRedisRate(redis: RedisStats): Promise<number> {
  const before = await redis.snapshot();
  await sleep(1_000);
  const after = await redis.snapshot();
  // The snapshots' own INFO calls are left out of the counts (see RedisStats.snapshot).
  return Object.entries(after.commands).reduce((sum, [name, calls]) => sum + calls - (before.commands[name] ?? 0), 0);
}

function header(facts: MachineFacts, background: number): string {
  return `reliable-socket scale bench — ${facts.date} — ${facts.cpus} CPUs (${facts.cpuModel}), node ${facts.node}, redis ${facts.redis}, ` +
    `ulimit -n ${formatInt(facts.openFileLimit)}; at start ${machineLoad()}; other clients' Redis commands/s ${formatInt(background)}`;
}

/** The highest level that held, else the first one run: the mix of a load the node carried. */
const carried = (levels: SustainedLevel[]): SustainedLevel | undefined => levels.filter((level) => level.held).at(-1) ?? levels[0];

function mixesOf(sustained?: SustainedResult, costs?: CostCurveResult): MessageMix[] {
  const mixes: MessageMix[] = [];
  const emits = sustained && carried(sustained.emits);
  const sends = sustained && carried(sustained.sends);
  // Net of the idle baseline: what the 1,000 connections cost anyway is reported per connection instead.
  if (emits) mixes.push(messageMix(`emit to ${formatInt(sustained.clients)} users @ ${formatInt(emits.offeredPerSec)}/s`, emits, sustained.idle));
  if (sends) mixes.push(messageMix(`send to @Reliable @ ${formatInt(sends.offeredPerSec)}/s`, sends, sustained.idle));
  const single = costs?.points.find((point) => point.axis === 'length' && point.value === 0);
  if (costs && single) mixes.push(messageMix(`emit to 1 user @ ${formatInt(costs.options.ratePerSec)}/s`, single.run));
  return mixes;
}

async function main(): Promise<void> {
  await withBenchSession({ name: 'bench:scale', prefixTag: 'rs-scale', redisUrl: CONFIG.redisUrl, hardLimitMs: CONFIG.hardLimitMs }, async ({ redis, keyPrefix, start }) => {
    const facts = await machineFacts(redis);
    console.log(`${header(facts, await backgroundRedisRate(redis))}\n`);
    let sustained: SustainedResult | undefined;
    let costs: CostCurveResult | undefined;

    if (runs('connect-storm')) {
      log(`connect storm: ${formatInt(CONFIG.storm.count)} connections per variant, ${CONFIG.storm.concurrency} at once`);
      const storm = await runConnectStorm(start, redis, keyPrefix, { ...CONFIG.storm, openFileLimit: facts.openFileLimit });
      console.log(`\n${renderStorm(storm, CONFIG.storm.concurrency, facts.cpus)}\n`);
      log(machineLoad());
    }
    if (runs('sustained-load') || runs('redis-capacity')) {
      const { clients, emitLevels, sendLevels } = CONFIG.sustained;
      log(`sustained load: ${formatInt(clients)} SDK clients; emits at ${emitLevels.join(', ')}/s, sends at ${sendLevels.join(', ')}/s until one does not hold`);
      const server = await start('reliable-redis', `${keyPrefix}sustained:`);
      sustained = await runSustainedLoad(server, redis, CONFIG.sustained);
      await server.stop();
      console.log(`\n${renderSustained(sustained, CONFIG.sustained.p99BoundMs, CONFIG.sustained.levelMs)}\n`);
      log(machineLoad());
    }
    if (runs('cost-curves')) {
      log(`cost curves: streams of ${CONFIG.costs.lengths.map(formatInt).join(', ')} messages; users in ${CONFIG.costs.rooms.join(', ')} rooms`);
      const prefixOf = { long: `${keyPrefix}cost-long:`, capped: `${keyPrefix}cost-capped:` };
      const [long, capped] = await Promise.all([start('reliable-redis', prefixOf.long, CONFIG.longRetention), start('reliable-redis', prefixOf.capped)]);
      costs = await runCostCurves({ long, capped }, prefixOf, redis, CONFIG.costs);
      await Promise.all([long.stop(), capped.stop()]);
      console.log(`\n${renderCostCurves(costs)}\n`);
      log(machineLoad());
    }
    if (runs('redis-capacity')) {
      log(`redis capacity: redis-benchmark, ${formatInt(CONFIG.capacity.requests)} requests per command kind`);
      const units = await measureUnitCosts(CONFIG.redisUrl, redis, keyPrefix, CONFIG.capacity);
      const estimates = mixesOf(sustained, costs).map((mix) => estimateCapacity(mix, units));
      const background = sustained && connectionBackground(sustained.clients, sustained.idle, sustained.empty);
      console.log(`\n${renderCapacity({ load: CONFIG.capacity, units, estimates, background })}\n`);
    }
    // Every server of the run is stopped by now: what Redis runs meanwhile is other clients'.
    log(`at the end ${machineLoad()}; other clients' Redis commands/s ${formatInt(await backgroundRedisRate(redis))}`);
  });
}

main().catch((error: unknown) => {
  console.error(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
