import type { MachineFacts } from './machine.js';
import { connectionsDetails, connectionsTable, type ConnectionResults } from './report-connections.js';
import { formatFixed, formatInt, formatRatio, renderTable } from './table.js';
import { median } from './timing.js';
import type { RecoveryResult } from '../scenarios/recovery.js';
import type { RoundTripFigures } from '../scenarios/redis-round-trips.js';
import type { ThroughputResult, ThroughputRun, ThroughputVariant } from '../scenarios/throughput.js';

export interface BenchResults extends ConnectionResults {
  facts: MachineFacts;
  throughput: ThroughputResult;
  roundTrips: RoundTripFigures;
  sequentialWritesPerMessage: number;
  recovery: { plain: RecoveryResult; plainCsr: RecoveryResult; redis: RecoveryResult; memory: RecoveryResult };
  recoveryCount: number;
  concurrency: number;
}

export const TARGETS = { throughputRatio: 0.5, recoveryMs: 1000, roundTripsPerMessage: 1 } as const;

const mark = (met: boolean): string => (met ? 'yes' : 'NO');

function plainRecoveryCell({ runs }: RecoveryResult, expected: number): string {
  const most = Math.max(...runs.map((run) => run.recovered));
  return most === 0 ? `lost all (0 / ${formatInt(expected)})` : `got ≤ ${formatInt(most)} / ${formatInt(expected)}`;
}

function mainTable(results: BenchResults): string {
  const { throughput, recovery, roundTrips, recoveryCount } = results;
  const plain = throughput.medianMsgsPerSec.plain;
  const redisRatio = throughput.ratioToPlain['reliable-redis'];
  const memoryRatio = throughput.ratioToPlain['reliable-memory'];
  const header = ['scenario', 'plain socket.io', 'reliable (redis)', 'ratio', 'reliable (memory)', 'ratio', 'target', 'met (redis / memory)'];
  const rows = [
    ['throughput to 1 client (msg/s)', formatInt(plain), formatInt(throughput.medianMsgsPerSec['reliable-redis']), formatRatio(redisRatio),
      formatInt(throughput.medianMsgsPerSec['reliable-memory']), formatRatio(memoryRatio), `≥ ${TARGETS.throughputRatio}×`,
      `${mark(redisRatio >= TARGETS.throughputRatio)} / ${mark(memoryRatio >= TARGETS.throughputRatio)}`],
    [`recover ${formatInt(recoveryCount)} missed (ms)`, plainRecoveryCell(recovery.plain, recoveryCount), formatInt(recovery.redis.medianMs), '',
      formatInt(recovery.memory.medianMs), '', `≤ ${TARGETS.recoveryMs} ms`,
      `${mark(recovery.redis.medianMs <= TARGETS.recoveryMs)} / ${mark(recovery.memory.medianMs <= TARGETS.recoveryMs)}`],
    ['redis round trips / message', '–', formatFixed(roundTrips.writesPerMessage, 3), '', '–', '', `≤ ${TARGETS.roundTripsPerMessage}`,
      mark(roundTrips.writesPerMessage <= TARGETS.roundTripsPerMessage)],
    ['redis commands sent / message', '–', formatFixed(roundTrips.sentCommandsPerMessage, 3), '', '–', '', '–', ''],
  ];
  return renderTable(header, rows);
}

const VARIANTS: ThroughputVariant[] = ['plain', 'reliable-redis', 'reliable-memory'];

/** The run closest to the median throughput, whose cost breakdown is shown. */
function medianRun(runs: ThroughputRun[]): ThroughputRun {
  const middle = median(runs.map((run) => run.msgsPerSec));
  return runs.reduce((best, run) => (Math.abs(run.msgsPerSec - middle) < Math.abs(best.msgsPerSec - middle) ? run : best));
}

function costTable({ throughput }: BenchResults): string {
  const rows = VARIANTS.map((variant) => {
    const run = medianRun(throughput.runs[variant]);
    const perMessage = (micros: number): string => formatFixed(micros / run.count, 1);
    const { server, client, redis } = run.cpuMicros;
    return [variant, perMessage(server), perMessage(client), perMessage(redis), perMessage(server + client + redis), formatInt(run.serverEmitMs), formatInt(run.ms)];
  });
  return renderTable(['median run', 'server CPU µs/msg', 'client CPU µs/msg', 'redis CPU µs/msg', 'total', 'server emits done (ms)', 'client got all (ms)'], rows);
}

function details(results: BenchResults): string[] {
  const { throughput, roundTrips, recovery, recoveryCount } = results;
  const runs = VARIANTS.map((variant) => `${variant} ${throughput.runs[variant].map((run) => formatInt(run.msgsPerSec)).join(', ')}`).join('; ');
  // INFO commandstats is server-wide: other clients of a shared Redis show up as small fractions.
  const executed = Object.entries(roundTrips.executedCommandsPerMessage)
    .filter(([, perMessage]) => perMessage >= 0.005)
    .sort(([, a], [, b]) => b - a)
    .map(([name, perMessage]) => `${name} ${formatFixed(perMessage, 2)}`)
    .join(', ');
  const csr = recovery.plainCsr;
  const csrGot = Math.min(...csr.runs.map((run) => run.recovered));
  return [
    'throughput: medians of the rounds; ratio = median over rounds of (reliable ÷ plain in the same round)',
    `throughput runs (msg/s): ${runs}`,
    `redis writes / message: ${formatFixed(roundTrips.writesPerMessage, 3)} = scripts ${formatFixed(roundTrips.scriptWritesPerMessage, 3)} + PUBLISH ${formatFixed(roundTrips.publishWritesPerMessage, 3)} + other ${formatFixed(roundTrips.otherWritesPerMessage, 3)}` +
      ` (over ${formatInt(roundTrips.messages)} messages; per message ${formatFixed(roundTrips.appendsPerMessage, 3)} append and ${formatFixed(roundTrips.acksPerMessage, 4)} ack scripts, the acks included)`,
    `redis round trips / message with one emit at a time (nothing to pipeline): ${formatFixed(results.sequentialWritesPerMessage, 3)}`,
    `redis commands executed / message (INFO commandstats, Lua-internal included): ${executed}`,
    `recover ${formatInt(recoveryCount)}: redis runs ${recovery.redis.runs.map((run) => formatInt(run.allHandledMs)).join(', ')} ms (recovered event ${formatInt(recovery.redis.medianRecoveredEventMs ?? Number.NaN)} ms); ` +
      `memory runs ${recovery.memory.runs.map((run) => formatInt(run.allHandledMs)).join(', ')} ms (recovered event ${formatInt(recovery.memory.medianRecoveredEventMs ?? Number.NaN)} ms)`,
    `plain socket.io with connectionStateRecovery (in-memory, abrupt disconnect only, lost on server restart): got ${formatInt(csrGot)} / ${formatInt(recoveryCount)} in ${formatInt(csr.medianMs)} ms (median)`,
  ];
}

export function renderReport(results: BenchResults): string {
  const { facts, concurrency } = results;
  return [
    `reliable-socket bench — ${facts.date} — ${facts.cpus} CPUs (${facts.cpuModel}), node ${facts.node}, redis ${facts.redis}, ulimit -n ${formatInt(facts.openFileLimit)}`,
    `servers in child processes, clients in the bench process; loopback; reliable emits ${concurrency} at a time`,
    '',
    mainTable(results),
    '',
    costTable(results),
    '',
    ...details(results),
    '',
    connectionsTable(results),
    '',
    ...connectionsDetails(results),
  ].join('\n');
}
