import os from 'node:os';
import { LoopDelayMonitor, type LoopDelay } from './loop-delay.js';
import { commandDeltas, type RedisStats } from './redis-stats.js';
import type { ServerHandle } from './server-handle.js';
import type { RedisWriteCounts } from './server-protocol.js';
import { cpuMicros, now } from './timing.js';

/** What one window of work cost, every figure a delta over the window. */
export interface CostReading {
  wallMs: number;
  /** CPU time (user + system), µs, of the server process, of this bench process (the clients) and of Redis. */
  serverCpuMicros: number;
  benchCpuMicros: number;
  redisCpuMicros: number;
  /** CPU time of the whole machine, every process (other work on it included), µs. */
  machineCpuMicros: number;
  /** Event-loop delay of the server process and of this one over the window. */
  serverLoopDelay: LoopDelay;
  benchLoopDelay: LoopDelay;
  /** Commands Redis executed, by name (`INFO commandstats`: server-wide, Lua-internal included). */
  redisCommands: Record<string, number>;
  /** Bytes Redis received and sent (server-wide). */
  redisInBytes: number;
  redisOutBytes: number;
  /** Writes (round trips) of the server process to Redis. */
  redisWrites: RedisWriteCounts;
  /** Append script calls and ack calls of the server's store. */
  appends: number;
  acks: number;
}

/** Share of one core (1 = a whole core) that `cpuMicros` of CPU over `wallMs` took. */
export const coreShare = (cpuMicros: number, wallMs: number): number => cpuMicros / 1000 / wallMs;

/** Sum of every command Redis executed in the reading. */
export const totalCommands = (reading: CostReading): number => Object.values(reading.redisCommands).reduce((sum, calls) => sum + calls, 0);

/** Busy CPU time of all the machine's cores so far (µs): everything but idle and I/O wait. */
function machineCpuMicros(): number {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0) * 1000;
}

/**
 * Starts measuring now; the returned function ends the window and reads the deltas. Nothing here forces
 * a GC: the caller does that outside its window when it wants to.
 */
export async function startCostMeter(server: ServerHandle, redis: RedisStats): Promise<() => Promise<CostReading>> {
  const [serverBefore, redisBefore] = await Promise.all([server.snapshot(), redis.snapshot()]);
  const benchBefore = cpuMicros();
  const machineBefore = machineCpuMicros();
  const benchLoop = new LoopDelayMonitor();
  const startedAt = now();
  return async () => {
    const wallMs = now() - startedAt;
    const benchCpu = cpuMicros() - benchBefore;
    const machineCpu = machineCpuMicros() - machineBefore;
    const benchLoopDelay = benchLoop.read();
    benchLoop.stop();
    const [serverAfter, redisAfter] = await Promise.all([server.snapshot(), redis.snapshot()]);
    const writes = (key: keyof RedisWriteCounts): number => serverAfter.redisWrites[key] - serverBefore.redisWrites[key];
    return {
      wallMs,
      serverCpuMicros: serverAfter.cpuMicros - serverBefore.cpuMicros,
      benchCpuMicros: benchCpu,
      redisCpuMicros: redisAfter.cpuMicros - redisBefore.cpuMicros,
      machineCpuMicros: machineCpu,
      serverLoopDelay: serverAfter.loopDelay,
      benchLoopDelay,
      redisCommands: commandDeltas(redisBefore, redisAfter),
      redisInBytes: redisAfter.netInputBytes - redisBefore.netInputBytes,
      redisOutBytes: redisAfter.netOutputBytes - redisBefore.netOutputBytes,
      appends: serverAfter.appends - serverBefore.appends,
      acks: serverAfter.acks - serverBefore.acks,
      redisWrites: { total: writes('total'), scripts: writes('scripts'), publish: writes('publish'), other: writes('other') },
    };
  };
}

/**
 * `reading` minus what `baseline` (a window with nothing sent) cost per unit of time, prorated to
 * `reading`'s length: the cost of the messages alone, without the background every window pays
 * (heartbeats, presence renewals). A figure never goes below zero; event-loop delays are `reading`'s.
 */
export function withoutBaseline(reading: CostReading, baseline: CostReading): CostReading {
  const scale = reading.wallMs / baseline.wallMs;
  const net = (value: number, idle: number): number => Math.max(0, value - idle * scale);
  const redisCommands = Object.fromEntries(Object.entries(reading.redisCommands).map(([name, calls]) => [name, net(calls, baseline.redisCommands[name] ?? 0)]));
  const writes = (key: keyof RedisWriteCounts): number => net(reading.redisWrites[key], baseline.redisWrites[key]);
  return {
    ...reading,
    serverCpuMicros: net(reading.serverCpuMicros, baseline.serverCpuMicros),
    benchCpuMicros: net(reading.benchCpuMicros, baseline.benchCpuMicros),
    redisCpuMicros: net(reading.redisCpuMicros, baseline.redisCpuMicros),
    machineCpuMicros: net(reading.machineCpuMicros, baseline.machineCpuMicros),
    redisCommands,
    redisInBytes: net(reading.redisInBytes, baseline.redisInBytes),
    redisOutBytes: net(reading.redisOutBytes, baseline.redisOutBytes),
    redisWrites: { total: writes('total'), scripts: writes('scripts'), publish: writes('publish'), other: writes('other') },
    appends: net(reading.appends, baseline.appends),
    acks: net(reading.acks, baseline.acks),
  };
}
