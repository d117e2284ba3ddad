/** The scale report's first two figures: the connect storm and the sustained load (bench/scale.ts). */
import type { StormResult, StormRun } from '../scenarios/connect-storm.js';
import type { SustainedLevel, SustainedResult } from '../scenarios/sustained-load.js';
import { coreShare, totalCommands } from './cost-meter.js';
import { formatFixed, formatInt, formatRatio, renderTable } from './table.js';

const cores = (value: number): string => formatFixed(value, 2);

/** A process this busy (of one core) counts as the limit: each of them runs on one thread. */
const SATURATED = 0.85;

const PROCESS_NAMES = { server: 'the server process', clients: 'the client process (this bench)', redis: 'Redis' } as const;

/** Which CPU was the limit: one process's core, all the machine's cores, or neither. */
function limitOf({ cores: used }: StormRun, machineCores: number): string {
  const [name, share] = (Object.keys(PROCESS_NAMES) as Array<keyof typeof PROCESS_NAMES>)
    .map((key) => [key, used[key]] as const)
    .reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const ours = used.server + used.clients + used.redis;
  if (share >= SATURATED) return `${PROCESS_NAMES[name]}, at ${cores(share)} of a core`;
  if (used.machine >= SATURATED * machineCores) {
    return `the machine's CPUs: ${cores(used.machine)} of ${machineCores} cores busy, ${cores(ours)} of them this bench's (other work took the rest)`;
  }
  return `no CPU (busiest ${PROCESS_NAMES[name]} at ${cores(share)}, machine ${cores(used.machine)} of ${machineCores} cores): handshake latency at this concurrency`;
}

export function renderStorm(result: StormResult, concurrency: number, machineCores: number): string {
  const { plain, reliable } = result;
  const row = (title: string, pick: (run: StormRun) => string, ratio = ''): string[] => [title, pick(plain), pick(reliable), ratio];
  const table = renderTable(['figure 1: connect storm', 'plain socket.io', 'reliable (SDK, redis)', 'ratio'], [
    row(`time until all ${formatInt(plain.count)} up (ms)`, (run) => formatInt(run.ms)),
    row('connections/s', (run) => formatInt(run.perSec), formatRatio(result.ratio)),
    row('server heap / connection (bytes)', (run) => formatInt(run.serverHeapPerConnection)),
    row('server RSS / connection (bytes)', (run) => formatInt(run.serverRssPerConnection)),
    row('client-process heap / connection (bytes)', (run) => formatInt(run.clientHeapPerConnection)),
    row('client-process RSS / connection (bytes)', (run) => formatInt(run.clientRssPerConnection)),
    row('CPU in cores: server / clients / redis / machine', (run) => `${cores(run.cores.server)} / ${cores(run.cores.clients)} / ${cores(run.cores.redis)} / ${cores(run.cores.machine)}`),
    row('longest event-loop delay ms: server / clients', (run) => `${formatInt(run.loopDelayMaxMs.server)} / ${formatInt(run.loopDelayMaxMs.clients)}`),
    row('SDK handshake errors (retried)', (run) => formatInt(run.handshakeErrors)),
  ]);
  const scaled = plain.count < result.requested
    ? `\nNOTE: ${formatInt(result.requested)} asked for; ulimit -n ${formatInt(result.openFileLimit)} held only ${formatInt(plain.count)} per process`
    : '';
  return [
    table,
    `storm: ${formatInt(plain.count)} distinct users, ${concurrency} handshakes at once, each variant on a fresh server process; ` +
      'reliable = real ReliableClient (MemoryStorage) counted up at rs:synced; memory after a forced GC, over the idle process',
    `storm limit: plain — ${limitOf(plain, machineCores)}; reliable — ${limitOf(reliable, machineCores)}${scaled}`,
  ].join('\n');
}

function levelRow(level: SustainedLevel): string[] {
  const { reading, count } = level;
  const per = (value: number): string => formatFixed(value / count, 2);
  return [
    level.direction === 'emit' ? 'server emit → client' : 'client send → @Reliable',
    formatInt(level.offeredPerSec), formatInt(level.achievedPerSec),
    `${formatFixed(level.p50Ms, 1)} / ${formatFixed(level.p99Ms, 1)} / ${formatFixed(level.maxMs, 0)}`,
    [reading.serverCpuMicros, reading.benchCpuMicros, reading.redisCpuMicros, reading.machineCpuMicros].map((micros) => cores(coreShare(micros, reading.wallMs))).join(' / '),
    `${formatInt(reading.serverLoopDelay.maxMs)} / ${formatInt(reading.benchLoopDelay.maxMs)}`,
    `${formatInt(reading.serverCpuMicros / count)} / ${formatInt(reading.redisCpuMicros / count)}`,
    `${per(totalCommands(reading))} / ${per(reading.redisWrites.total)}`,
    level.held ? 'yes' : `NO: ${level.reason}`,
  ];
}

export function renderSustained(result: SustainedResult, boundMs: number, levelMs: number): string {
  const table = renderTable(
    ['figure 2: sustained load', 'offered msg/s', 'achieved', 'p50 / p99 / max ms', 'CPU cores srv / cli / redis / machine', 'loop delay max ms srv / cli', 'µs/msg srv / redis', 'redis cmds / trips per msg', 'held'],
    [...result.emits, ...result.sends].map(levelRow),
  );
  const sustained = (value: number): string => (Number.isFinite(value) ? `${formatInt(value)} msg/s` : 'none of the levels');
  const { idle } = result;
  const perSec = (value: number): string => formatInt(value / (idle.wallMs / 1000));
  return [
    table,
    `idle baseline (${formatInt(result.clients)} connected, nothing sent, ${formatInt(idle.wallMs)} ms; every level pays it too): CPU cores srv / cli / redis ` +
      [idle.serverCpuMicros, idle.benchCpuMicros, idle.redisCpuMicros].map((micros) => cores(coreShare(micros, idle.wallMs))).join(' / ') +
      `; ${perSec(totalCommands(idle))} redis commands/s, ${perSec(idle.redisWrites.total)} round trips/s; loop delay max ms srv / cli ` +
      `${formatInt(idle.serverLoopDelay.maxMs)} / ${formatInt(idle.benchLoopDelay.maxMs)}`,
    `sustained on one node with ${formatInt(result.clients)} connected SDK clients (p99 ≤ ${boundMs} ms, nothing behind): ` +
      `server emits ${sustained(result.sustainedEmitsPerSec)}; client sends to @Reliable() ${sustained(result.sustainedSendsPerSec)}`,
    `levels: ${levelMs / 1000} s of schedule each, open loop, latency from each message's scheduled time to its handler (emit) or reply (send); ` +
      `${formatInt(result.clients)} clients connected in ${formatInt(result.connectMs)} ms; ${result.strayMessages} messages arrived after their level ended`,
  ].join('\n');
}
