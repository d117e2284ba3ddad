/**
 * Scale figure 4 — what one Redis primary and a Redis Cluster carry. Two measures, side by side:
 * - direct: Redis CPU per reliable message while the app ran (`INFO cpu` over a paced run ÷ messages);
 * - model: the command mix per message (store call counters + `INFO commandstats`) priced with this
 *   machine's Redis CPU per command, measured with `redis-benchmark` on scripts of the same shape as the
 *   store's (an append: HSETNX, TIME, HGET, XRANGE, XADD MAXLEN, HSET, 2 PEXPIRE; an ack: HMGET, PEXPIRE,
 *   HSET) and on PUBLISH to a channel with one subscriber (the Socket.IO adapter's fan-out, the ack notice).
 * A primary runs commands on one core: its ceiling is 10⁶ µs ÷ Redis µs per message. In a Cluster every
 * stream's keys share one slot, so scripts spread over the primaries; a classic PUBLISH is forwarded to
 * every node of the cluster, so that share of the cost does not shrink with more primaries.
 */
import { Redis } from 'ioredis';
import { totalCommands, withoutBaseline, type CostReading } from '../lib/cost-meter.js';
import type { PacedRun } from '../lib/paced-runs.js';
import { LOAD_EVENT, makeLoadPayload } from '../lib/payload.js';
import { redisBenchmark, type BenchmarkLoad } from '../lib/redis-benchmark.js';
import type { RedisStats } from '../lib/redis-stats.js';

export interface UnitCost {
  name: string;
  opsPerSec: number;
  p99Ms: number;
  /** Redis CPU per command during the benchmark (µs): what the command costs the primary's one core. */
  redisMicrosPerOp: number;
}

/** Per message of one measured run. */
export interface MessageMix {
  label: string;
  scripts: number;
  acks: number;
  publishes: number;
  /** Every command Redis executed, Lua-internal included. */
  commands: number;
  roundTrips: number;
  bytes: number;
  /** Redis CPU per message, measured while the app ran. */
  directMicros: number;
}

export interface CapacityEstimate {
  mix: MessageMix;
  /** Redis µs per message priced from the unit costs. */
  modelMicros: number;
  /** What the PUBLISHes cost per message, priced from the unit cost (every primary of a Cluster pays it). */
  publishMicros: number;
  /**
   * Messages/s at 100 % of each primary's core, priced by the direct measure (`measured`: Redis at partial
   * load, so little pipelining: a floor) and by the model (`model`: commands pipelined 16 deep: a ceiling).
   */
  primaries: Array<{ primaries: number; measured: number; model: number }>;
}

/** What connected clients cost Redis with nothing sent (presence renewals and sweeps), per client and second. */
export interface ConnectionBackground {
  clients: number;
  redisMicrosPerClientSec: number;
  commandsPerClientSec: number;
}

export interface CapacityResult {
  load: BenchmarkLoad;
  background?: ConnectionBackground;
  units: Record<'append' | 'ack' | 'xadd' | 'publish', UnitCost>;
  estimates: CapacityEstimate[];
}

/** One message of the store, as a script gets it: the body JSON the app stores (≈ 130 bytes). */
const BODY = JSON.stringify({ event: LOAD_EVENT, data: makeLoadPayload(0, 0, Date.now()) });
/** What the adapter publishes per live message: the packet and its routing (≈ 250 bytes). */
const PACKET = 'x'.repeat(250);
const META_TTL_MS = '2592000000';

/** The store's append, one message, no idempotency key; both keys derived from KEYS[1] (redis-benchmark's random keys are independent). */
const APPEND_LIKE_LUA = `
local meta, log = KEYS[1] .. ':meta', KEYS[1] .. ':log'
if redis.call('HSETNX', meta, 'epoch', ARGV[1]) == 1 then redis.call('DEL', log) end
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local head = tonumber(redis.call('HGET', meta, 'head') or 0) + 1
redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
redis.call('XADD', log, 'MAXLEN', ARGV[2], head .. '-0', 't', now, 'm', ARGV[4])
redis.call('HSET', meta, 'head', head)
redis.call('PEXPIRE', log, ARGV[3])
redis.call('PEXPIRE', meta, ARGV[5])
return head`;

/** The store's ack without its PUBLISH (priced on its own). */
const ACK_LIKE_LUA = `
local meta = KEYS[1] .. ':meta'
local fields = redis.call('HMGET', meta, 'epoch', 'head', 'acked')
redis.call('PEXPIRE', meta, ARGV[1])
redis.call('HSET', meta, 'acked', tonumber(fields[3] or 0) + 1)
return 1`;

export const CLUSTER_SIZES = [1, 3, 6, 12];

/** Per message of `run`; with `baseline` (the same clients idle), net of the background every second pays anyway. */
export function messageMix(label: string, run: PacedRun, baseline?: CostReading): MessageMix {
  const reading = baseline ? withoutBaseline(run.reading, baseline) : run.reading;
  const per = (value: number): number => value / run.count;
  const calls = (name: string): number => reading.redisCommands[name] ?? 0;
  return {
    label,
    scripts: per(calls('evalsha') + calls('eval')),
    acks: per(reading.acks),
    publishes: per(calls('publish')),
    commands: per(totalCommands(reading)),
    roundTrips: per(reading.redisWrites.total),
    bytes: per(reading.redisInBytes + reading.redisOutBytes),
    directMicros: per(reading.redisCpuMicros),
  };
}

/** Per client: the connected idle window net of the empty one (the node's own timers cost that with no client at all). */
export function connectionBackground(clients: number, idle: CostReading, empty: CostReading): ConnectionBackground {
  const net = withoutBaseline(idle, empty);
  const perClientSec = (value: number): number => value / clients / (net.wallMs / 1000);
  return { clients, redisMicrosPerClientSec: perClientSec(net.redisCpuMicros), commandsPerClientSec: perClientSec(totalCommands(net)) };
}

export function estimateCapacity(mix: MessageMix, units: CapacityResult['units']): CapacityEstimate {
  // Scripts other than acks are priced as appends (the @Reliable() claim and completion are scripts of similar size).
  const modelMicros = (mix.scripts - mix.acks) * units.append.redisMicrosPerOp + mix.acks * units.ack.redisMicrosPerOp + mix.publishes * units.publish.redisMicrosPerOp;
  const publishMicros = mix.publishes * units.publish.redisMicrosPerOp;
  // Scripts spread over the primaries by stream slot; every primary pays every classic PUBLISH.
  const perSec = (micros: number, primaries: number): number => {
    const publish = Math.min(micros, publishMicros);
    return 1e6 / ((micros - publish) / primaries + publish);
  };
  return {
    mix, modelMicros, publishMicros,
    primaries: CLUSTER_SIZES.map((primaries) => ({ primaries, measured: perSec(mix.directMicros, primaries), model: perSec(modelMicros, primaries) })),
  };
}

/** Prices each command kind with redis-benchmark; keys go under `keyPrefix` (deleted with the run's). */
export async function measureUnitCosts(url: string, redis: RedisStats, keyPrefix: string, load: BenchmarkLoad): Promise<CapacityResult['units']> {
  const loader = new Redis(url, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url, { maxRetriesPerRequest: 1 });
  const channel = `${keyPrefix}cap:channel`;
  try {
    const [appendSha, ackSha] = (await Promise.all([loader.script('LOAD', APPEND_LIKE_LUA), loader.script('LOAD', ACK_LIKE_LUA)])) as string[];
    await subscriber.subscribe(channel);
    const stream = `${keyPrefix}cap:s:__rand_int__`;
    const unit = async (name: string, command: string[]): Promise<UnitCost> => {
      const before = await redis.snapshot();
      const figures = await redisBenchmark(url, command, load);
      const after = await redis.snapshot();
      return { name, opsPerSec: figures.opsPerSec, p99Ms: figures.p99Ms, redisMicrosPerOp: (after.cpuMicros - before.cpuMicros) / load.requests };
    };
    // The append runs first: the ack needs the metas it creates.
    const append = await unit('EVALSHA append-like script', ['EVALSHA', appendSha, '1', stream, 'bench-epoch', '10000', '86400000', BODY, META_TTL_MS]);
    const ack = await unit('EVALSHA ack-like script', ['EVALSHA', ackSha, '1', stream, META_TTL_MS]);
    const xadd = await unit('XADD MAXLEN 10000 (no script)', ['XADD', `${keyPrefix}cap:x:__rand_int__`, 'MAXLEN', '10000', '*', 't', '1', 'm', BODY]);
    const publish = await unit('PUBLISH 250 B, 1 subscriber', ['PUBLISH', channel, PACKET]);
    return { append, ack, xadd, publish };
  } finally {
    subscriber.disconnect();
    loader.disconnect();
  }
}
