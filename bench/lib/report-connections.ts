/** The report's second table: client → server messages, connection setup and idle connections (scenarios 4–6). */
import { formatFixed, formatInt, formatRatio, renderTable } from './table.js';
import type { ConnectOptions, ConnectResult, ConnectRun } from '../scenarios/connection-rate.js';
import type { IdleResult, IdleVariant } from '../scenarios/idle-memory.js';
import type { SendResult, SendRun, SendStore, SendVariant } from '../scenarios/reliable-sends.js';

export interface ConnectionResults {
  sends: SendResult;
  sendWindow: number;
  connections: ConnectResult;
  connectionOptions: ConnectOptions;
  idle: IdleResult;
}

export const CONNECTION_TARGETS = { sendRatio: 0.5, idleHeapOverheadBytes: 2048 } as const;

const mark = (met: boolean): string => (met ? 'yes' : 'NO');
const latencies = (p50: number, p99: number): string => `${formatFixed(p50, 1)} / ${formatFixed(p99, 1)}`;
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${formatInt(value)}`;

function sendRows({ sends, sendWindow }: ConnectionResults, store: SendStore): string[][] {
  const result = sends[store];
  return [
    [`client → server msg/s, ${store} app (${sendWindow} in flight)`, formatInt(result.medianMsgsPerSec.plain), formatInt(result.medianMsgsPerSec.reliable),
      formatRatio(result.ratio), `≥ ${CONNECTION_TARGETS.sendRatio}×`, mark(result.ratio >= CONNECTION_TARGETS.sendRatio)],
    [`  send → reply p50 / p99 (ms), ${store} app`, latencies(result.medianP50Ms.plain, result.medianP99Ms.plain),
      latencies(result.medianP50Ms.reliable, result.medianP99Ms.reliable), '', '–', ''],
  ];
}

export function connectionsTable(results: ConnectionResults): string {
  const { connections, connectionOptions, idle } = results;
  const heapOverhead = idle.reliable.heapBytesPerConnection - idle.plain.heapBytesPerConnection;
  const { redis } = idle.reliable;
  const rows = [
    ...sendRows(results, 'redis'),
    ...sendRows(results, 'memory'),
    [`connections/s (${formatInt(connectionOptions.count)}, ${connectionOptions.concurrency} at once)`, formatInt(connections.medianPerSec.plain),
      formatInt(connections.medianPerSec.reliable), formatRatio(connections.ratio), '–', ''],
    [`idle heap / connection (bytes, ${formatInt(idle.plain.count)} idle)`, formatInt(idle.plain.heapBytesPerConnection),
      formatInt(idle.reliable.heapBytesPerConnection), signed(heapOverhead), `≤ +${formatInt(CONNECTION_TARGETS.idleHeapOverheadBytes)}`,
      mark(heapOverhead <= CONNECTION_TARGETS.idleHeapOverheadBytes)],
    ['idle RSS / connection (bytes)', formatInt(idle.plain.rssBytesPerConnection), formatInt(idle.reliable.rssBytesPerConnection),
      signed(idle.reliable.rssBytesPerConnection - idle.plain.rssBytesPerConnection), '–', ''],
    ['redis keys / connection (open / after close)', '–',
      `${formatFixed(redis?.keysPerConnection ?? Number.NaN, 2)} / ${formatFixed(redis?.keysLeftPerConnection ?? Number.NaN, 2)}`, '', '–', ''],
    ['redis bytes / connection (open / after close)', '–',
      `${formatInt(redis?.bytesPerConnection ?? Number.NaN)} / ${formatInt(redis?.bytesLeftPerConnection ?? Number.NaN)}`, '', '–', ''],
  ];
  return renderTable(['scenario (client side)', 'plain socket.io', 'reliable (redis unless said)', 'ratio / overhead', 'target', 'met'], rows);
}

export function connectionsDetails({ sends, connections, idle }: ConnectionResults): string[] {
  const runs = (store: SendStore): string =>
    `${store}: plain ${sends[store].runs.plain.map((run) => formatInt(run.msgsPerSec)).join(', ')}; reliable ${sends[store].runs.reliable.map((run) => formatInt(run.msgsPerSec)).join(', ')}`;
  const mean = (runs: SendRun[], pick: (run: SendRun) => number): number => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  const perMessage = (pick: (run: SendRun) => number | undefined): number => mean(sends.redis.runs.reliable, (run) => pick(run) ?? Number.NaN);
  const cpu = (store: SendStore, variant: SendVariant): string =>
    `${formatInt(mean(sends[store].runs[variant], (run) => run.serverCpuMicros))} / ${formatInt(mean(sends[store].runs[variant], (run) => run.clientCpuMicros))}`;
  const reliableRuns = connections.runs.reliable;
  const connectionMean = (pick: (run: ConnectRun) => number): number => reliableRuns.reduce((sum, run) => sum + pick(run), 0) / reliableRuns.length;
  const reliableCommands = (): string => {
    const names = new Set(reliableRuns.flatMap((run) => Object.keys(run.redisCommandsPerConnection)));
    // INFO commandstats is server-wide: other clients of a shared Redis show up as small fractions.
    return [...names]
      .map((name) => [name, connectionMean((run) => run.redisCommandsPerConnection[name] ?? 0)] as const)
      .filter(([, perConnection]) => perConnection >= 0.05)
      .sort(([, a], [, b]) => b - a)
      .map(([name, perConnection]) => `${name} ${formatFixed(perConnection, 2)}`)
      .join(', ');
  };
  const idleLine = (variant: IdleVariant): string => {
    const run = idle[variant];
    return `${variant} up in ${formatInt(run.connectMs)} ms, heap ${formatFixed(run.heapBeforeBytes / 2 ** 20, 1)} → ${formatFixed(run.heapAfterBytes / 2 ** 20, 1)} MiB ` +
      `(highest of the readings ${signed(run.heapPeakBytesPerConnection - run.heapBytesPerConnection)} B / connection)`;
  };
  const limited = idle.plain.count < idle.requested
    ? ` (${formatInt(idle.requested)} asked for; the open-file limit ${formatInt(idle.openFileLimit)} held only ${formatInt(idle.plain.count)})`
    : '';
  return [
    'client → server: plain = emitWithAck to the same handler body without @Reliable(), on the same server; ratio = median over rounds of (reliable ÷ plain in the same round)',
    `client → server runs (msg/s): ${runs('redis')} | ${runs('memory')}`,
    `CPU µs / message, server / client (mean of the rounds): redis app plain ${cpu('redis', 'plain')}, reliable ${cpu('redis', 'reliable')}; memory app plain ${cpu('memory', 'plain')}, reliable ${cpu('memory', 'reliable')}`,
    `per reliable message, redis app: ${formatFixed(perMessage((run) => run.redisWritesPerMessage), 3)} redis writes (round trips); ` +
      `${formatFixed(perMessage((run) => run.keysPerMessage), 3)} keys and ${formatInt(perMessage((run) => run.redisBytesPerMessage))} bytes left in Redis (the reply, kept for dedupeTtlMs = 24 h)`,
    `connection runs (conn/s): plain ${connections.runs.plain.map((run) => formatInt(run.connectionsPerSec)).join(', ')}; reliable ${connections.runs.reliable.map((run) => formatInt(run.connectionsPerSec)).join(', ')}; ` +
      `connect p50 / p99 (ms): plain ${latencies(connections.medianP50Ms.plain, connections.medianP99Ms.plain)}, reliable ${latencies(connections.medianP50Ms.reliable, connections.medianP99Ms.reliable)}`,
    `per reliable connection, connect and disconnect together: ${formatFixed(connectionMean((run) => run.redisWritesPerConnection), 2)} redis writes (round trips); ` +
      `redis commands executed (INFO commandstats, Lua-internal included): ${reliableCommands()}`,
    `idle ${formatInt(idle.plain.count)}${limited}: ${idleLine('plain')}; ${idleLine('nest')}; ${idleLine('reliable')} (heap after a forced GC in the server process, median of 3 readings a second apart)`,
    `idle heap / connection of a Nest gateway without reliable-socket: ${formatInt(idle.nest.heapBytesPerConnection)} bytes, so of the reliable app's ` +
      `${signed(idle.reliable.heapBytesPerConnection - idle.plain.heapBytesPerConnection)} over plain, Nest's gateway plumbing is ` +
      `${signed(idle.nest.heapBytesPerConnection - idle.plain.heapBytesPerConnection)} and reliable-socket ${signed(idle.reliable.heapBytesPerConnection - idle.nest.heapBytesPerConnection)}`,
  ];
}
