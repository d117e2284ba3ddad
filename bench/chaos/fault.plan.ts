import type { SeededRandom } from './seeded.random.js';

/** Every kind of fault a chaos run injects, in report order. */
export const FAULT_KINDS = ['transport-close', 'blackhole', 'node-kill', 'node-restart', 'client-reload', 'redis-drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault of the schedule, `atMs` after the traffic started. Indexes name a node (and its proxies) or a client. */
export type PlannedFault =
  | { kind: 'transport-close'; atMs: number; node: number }
  | { kind: 'blackhole'; atMs: number; node: number; holdMs: number }
  | { kind: 'node-kill'; atMs: number; node: number; downMs: number }
  | { kind: 'node-restart'; atMs: number; node: number }
  | { kind: 'client-reload'; atMs: number; client: number }
  | { kind: 'redis-drop'; atMs: number; node: number; holdMs: number; mode: 'refuse' | 'blackhole' };

/**
 * Faults of one lane run one after the other (a lane never has two of its faults under way); faults of
 * different lanes overlap freely. Node faults share a lane so that at most one node is down at a time.
 */
export type FaultLane = 'network' | 'node' | 'redis' | 'instant';

export function laneOf(kind: FaultKind): FaultLane {
  if (kind === 'node-kill' || kind === 'node-restart') return 'node';
  if (kind === 'blackhole') return 'network';
  if (kind === 'redis-drop') return 'redis';
  return 'instant';
}

export interface FaultPlanInput {
  durationMs: number;
  nodes: number;
  clients: number;
  /** Engine.IO ping interval + timeout of the nodes: a blackhole must outlast it to be noticed. */
  heartbeatMs: number;
}

/** When faults may start: after a warm-up, and never in the last seconds, which are left for catching up. */
export function faultWindow(durationMs: number): { startMs: number; endMs: number } {
  const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
  return { startMs: clamp(durationMs * 0.1, 1_000, 5_000), endMs: durationMs - clamp(durationMs * 0.1, 3_000, 8_000) };
}

/** Mean time between two faults of a kind, in ms. */
const MEAN_INTERVAL_MS = { 'transport-close': 4_000, 'client-reload': 2_000, blackhole: 12_000, 'redis-drop': 12_000, node: 8_000 };

/**
 * The whole fault schedule of a run, drawn from `random` alone: the same seed gives the same schedule.
 * Every kind occurs at least once (the first two node faults are one kill and one graceful restart), so
 * even a short run exercises all of them.
 */
export function planFaults(random: SeededRandom, input: FaultPlanInput): PlannedFault[] {
  const { startMs, endMs } = faultWindow(input.durationMs);
  const span = endMs - startMs;
  const anyNode = (): number => random.int(0, input.nodes - 1);
  const faults: PlannedFault[] = [];

  /** `count` start times spread uniformly over the window (at least one). */
  const uniform = (meanMs: number): number[] =>
    Array.from({ length: Math.max(1, Math.round(span / meanMs)) }, () => Math.round(random.between(startMs, endMs))).sort((a, b) => a - b);
  /** Start times of a sequential lane: each one a jittered interval after the previous one ended (as planned). */
  const sequence = (meanMs: number, hold: (index: number) => number): Array<{ atMs: number; holdMs: number }> => {
    const slots: Array<{ atMs: number; holdMs: number }> = [];
    for (let at = startMs + random.between(0, meanMs / 4); at < endMs; ) {
      const holdMs = hold(slots.length);
      slots.push({ atMs: Math.round(at), holdMs });
      at += holdMs + random.between(meanMs * 0.5, meanMs * 1.5);
    }
    return slots;
  };

  for (const atMs of uniform(MEAN_INTERVAL_MS['transport-close'])) faults.push({ kind: 'transport-close', atMs, node: anyNode() });
  for (const atMs of uniform(MEAN_INTERVAL_MS['client-reload'])) faults.push({ kind: 'client-reload', atMs, client: random.int(0, input.clients - 1) });
  const blackholeMs = (): number => Math.round(random.between(1.5, 2.2) * input.heartbeatMs);
  for (const { atMs, holdMs } of sequence(MEAN_INTERVAL_MS.blackhole, blackholeMs)) faults.push({ kind: 'blackhole', atMs, node: anyNode(), holdMs });
  for (const { atMs, holdMs } of sequence(MEAN_INTERVAL_MS['redis-drop'], () => Math.round(random.between(2_000, 4_000)))) {
    faults.push({ kind: 'redis-drop', atMs, node: anyNode(), holdMs, mode: random.chance(0.5) ? 'refuse' : 'blackhole' });
  }
  const firstNodeKinds = random.shuffle(['node-kill', 'node-restart'] as const);
  // A node fault lasts about its downtime plus a restart (~3 s); that estimate only spaces the plan.
  const nodeSlots = sequence(MEAN_INTERVAL_MS.node, () => Math.round(random.between(1_000, 3_000)));
  nodeSlots.forEach(({ atMs, holdMs }, index) => {
    const kind = firstNodeKinds[index] ?? (random.chance(0.5) ? 'node-kill' : 'node-restart');
    faults.push(kind === 'node-kill' ? { kind, atMs, node: anyNode(), downMs: holdMs } : { kind, atMs, node: anyNode() });
  });
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** A one-line description of a fault, for the run's log. */
export function describeFault(fault: PlannedFault): string {
  switch (fault.kind) {
    case 'transport-close': return `transport-close: reset every client connection through proxy ${fault.node}`;
    case 'blackhole': return `blackhole: proxy ${fault.node} drops every byte for ${fault.holdMs} ms`;
    case 'node-kill': return `node-kill: SIGKILL node ${fault.node}, restart after ${fault.downMs} ms`;
    case 'node-restart': return `node-restart: SIGTERM node ${fault.node} (drain), then restart`;
    case 'client-reload': return `client-reload: client ${fault.client} dropped and recreated over its storage`;
    case 'redis-drop': return `redis-drop: node ${fault.node} loses Redis for ${fault.holdMs} ms (${fault.mode})`;
  }
}
