/** The scale report's last two figures: cost curves and the Redis capacity estimate (bench/scale.ts). */
import type { CostCurveResult, CostPoint } from '../scenarios/cost-curves.js';
import type { CapacityResult } from '../scenarios/redis-capacity.js';
import { totalCommands } from './cost-meter.js';
import { formatFixed, formatInt, renderTable } from './table.js';

/** Commands executed per message at or above this show in the per-point breakdown. */
const SHOWN_COMMAND_SHARE = 0.05;

function pointRow({ axis, value, label, run, bytesPerEntry, connect }: CostPoint): string[] {
  const { reading, count } = run;
  return [
    axis === 'length' ? `stream of ${formatInt(value)}, ${label}` : `in ${formatInt(value)} room${value === 1 ? '' : 's'}, ${label}`,
    formatInt(reading.serverCpuMicros / count),
    formatFixed(reading.redisCpuMicros / count, 1),
    formatFixed(totalCommands(reading) / count, 2),
    formatFixed(reading.redisWrites.total / count, 2),
    `${formatFixed(run.p50Ms, 1)} / ${formatFixed(run.p99Ms, 1)}`,
    `${formatFixed(run.emitP50Ms ?? Number.NaN, 2)} / ${formatFixed(run.emitP99Ms ?? Number.NaN, 2)}`,
    bytesPerEntry === undefined ? '' : formatInt(bytesPerEntry),
    connect ? `${formatInt(connect.ms)} ms, ${formatInt(totalCommands(connect.reading))} cmds` : '',
  ];
}

function commandsLine(point: CostPoint): string {
  const { reading, count } = point.run;
  const shown = Object.entries(reading.redisCommands)
    .map(([name, calls]) => [name, calls / count] as const)
    .filter(([, perMessage]) => perMessage >= SHOWN_COMMAND_SHARE)
    .sort(([, a], [, b]) => b - a)
    .map(([name, perMessage]) => `${name} ${formatFixed(perMessage, 2)}`);
  return `  ${point.axis === 'length' ? `length ${formatInt(point.value)}` : `${point.value} rooms`} (${point.label}): ${shown.join(', ')}`;
}

export function renderCostCurves({ options, points }: CostCurveResult): string {
  const table = renderTable(
    ['figure 3: cost per message', 'server µs', 'redis µs', 'redis cmds', 'round trips', 'e2e p50 / p99 ms', 'emit→durable p50 / p99 ms', 'redis B / entry', 'connect → synced'],
    points.map(pointRow),
  );
  return [
    table,
    `each point: one connected SDK client, ${formatInt(options.count)} emits paced at ${formatInt(options.ratePerSec)}/s, so emits seldom share an event-loop turn ` +
      '(evalsha below 1 per message: the rest were stored two or more per script call); per message; redis figures are INFO cpu / commandstats deltas ' +
      '(server-wide: other Redis clients add noise)',
    'redis commands executed per message (Lua-internal included):',
    ...points.map(commandsLine),
  ].join('\n');
}

/** `17,335` → `17k`: the estimate is no more precise than that. */
const formatThousands = (value: number): string => (Number.isFinite(value) ? `${formatInt(value / 1000)}k` : '–');

/** Connected clients whose background cost the report extrapolates to. */
const EXTRAPOLATED_CLIENTS = [100_000, 1_000_000];

export function renderCapacity({ load, units, estimates, background }: CapacityResult): string {
  const unitTable = renderTable(
    ['figure 4a: redis-benchmark on this machine', 'ops/s', 'p99 ms', 'redis CPU µs / op'],
    Object.values(units).map((unit) => [unit.name, formatInt(unit.opsPerSec), formatFixed(unit.p99Ms, 2), formatFixed(unit.redisMicrosPerOp, 2)]),
  );
  const sizes = estimates[0]?.primaries.map((entry) => entry.primaries) ?? [];
  const estimateTable = renderTable(
    ['figure 4b: per reliable message', 'scripts', 'acks', 'PUBLISH', 'cmds', 'round trips', 'bytes', 'redis µs (measured / model)',
      ...sizes.map((primaries) => (primaries === 1 ? 'msg/s 1 primary' : `cluster ×${primaries}`))],
    estimates.map(({ mix, modelMicros, primaries }) => [
      mix.label, formatFixed(mix.scripts, 2), formatFixed(mix.acks, 2), formatFixed(mix.publishes, 2), formatFixed(mix.commands, 1),
      formatFixed(mix.roundTrips, 2), formatInt(mix.bytes), `${formatFixed(mix.directMicros, 1)} / ${formatFixed(modelMicros, 1)}`,
      ...primaries.map((entry) => `${formatThousands(entry.measured)}–${formatThousands(entry.model)}`),
    ]),
  );
  return [
    unitTable,
    `redis-benchmark -n ${formatInt(load.requests)} -c ${load.clients} -P ${load.pipeline} -r ${formatInt(load.keyspace)}; µs / op = Redis INFO cpu delta ÷ requests ` +
      '(the benchmark client runs on the same cores, so ops/s understates a dedicated Redis; µs / op does not)',
    '',
    estimateTable,
    'per message: the sustained-load rows are net of the idle baseline (the connections\' own background is the last line); ' +
      'msg/s = 10⁶ ÷ Redis µs per message, at 100 % of each primary\'s one core (plan for ≤ 50 %), as a range: measured µs (Redis at partial load, ' +
      'little pipelining: a floor) – model µs (commands pipelined 16 deep: a ceiling); cluster ×N = 10⁶ ÷ (non-PUBLISH µs ÷ N + PUBLISH µs): ' +
      'scripts spread by stream slot, a classic PUBLISH reaches every primary',
    ...(background
      ? [`connected clients, nothing sent (${formatInt(background.clients)} connected vs none): ${formatFixed(background.redisMicrosPerClientSec, 2)} Redis µs and ` +
        `${formatFixed(background.commandsPerClientSec, 2)} commands per client per second (presence renewals and sweeps, all in the namespace's one slot); ` +
        EXTRAPOLATED_CLIENTS.map((clients) => `${formatInt(clients)} clients ≈ ${formatFixed((background.redisMicrosPerClientSec * clients) / 1e6, 2)} Redis cores`).join(', ')]
      : []),
  ].join('\n');
}
