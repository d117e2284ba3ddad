/**
 * Scale figure 3 — how the per-message cost grows with the stream's length and with the number of rooms
 * a user is in. Each point: one real `ReliableClient` connected, `count` emits paced at `ratePerSec` (so
 * they seldom share an event-loop turn, and each message mostly pays its own way), measured as server
 * CPU, Redis CPU, Redis commands and round trips per message, and end-to-end latency.
 * - Stream length: the user's stream first holds `length` messages (stored through the store in big
 *   chunks, as history that piled up while nobody listened), on a server whose retention keeps them all;
 *   the client comes back with its cursor at the head, so it has nothing to replay. One more point at the
 *   default retention (10,000), where every append also trims the oldest message.
 * - Rooms: the user is first made a member of `rooms` rooms (`ReliableEmitter.join`); its client connects
 *   (timed: the server replays each of its streams in turn) and gets emits to its own stream, then to one
 *   of its rooms.
 */
import { MemoryStorage, StreamName } from '@reliable-socket/client';
import { startCostMeter, type CostReading } from '../lib/cost-meter.js';
import { LoadFleet, type FleetOptions } from '../lib/load-fleet.js';
import { measurePacedEmits, type PacedOptions, type PacedRun } from '../lib/paced-runs.js';
import { BENCH_NAMESPACE } from '../lib/payload.js';
import type { RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import type { LoadTarget } from '../lib/server-protocol.js';

export interface CostCurveOptions {
  lengths: number[];
  /** The stream length of the point at the default retention (`retention.maxLength`, 10,000). */
  defaultCap: number;
  rooms: number[];
  count: number;
  ratePerSec: number;
}

export interface CostPoint {
  axis: 'length' | 'rooms';
  /** Stream length before the run, or rooms the user is in. */
  value: number;
  /** What the emits went to, and the retention in force. */
  label: string;
  run: PacedRun;
  /** Length points: Redis bytes per retained message (the log key, MEMORY USAGE). */
  bytesPerEntry?: number;
  /** Rooms points: client construction → `rs:synced`, and what that connection cost. */
  connect?: { ms: number; reading: CostReading };
}

export interface CostCurveResult {
  options: CostCurveOptions;
  points: CostPoint[];
}

const SYNC_TIMEOUT_MS = 20_000;
/** The SDK's storage key of the clients that come back with a cursor (any fixed string). */
const STORAGE_KEY = 'bench-cost';

let runNumber = 0;
const fresh = (what: string): string => `cc-${process.pid}-${++runNumber}-${what}`;

/** The server's keys of `user`'s stream: `<keyPrefix>{<namespace>|user:<id>}…` (see the store's key layout). */
const userStreamKeys = (serverPrefix: string, user: string): string => `${serverPrefix}{${BENCH_NAMESPACE}|${StreamName.user(user)}}`;

async function lengthPoint(server: ServerHandle, serverPrefix: string, redis: RedisStats, length: number, label: string, paced: PacedOptions): Promise<CostPoint> {
  const user = fresh(`len${length}`);
  let storage: FleetOptions['storageOf'];
  if (length > 0) {
    const { epoch, head } = await server.prefill({ user, count: length });
    // A device that handled all of it before: its cursor sits at the head, so the replay is empty.
    const saved = new MemoryStorage();
    saved.setItem(`${STORAGE_KEY}:cursors`, JSON.stringify({ [StreamName.user(user)]: { epoch, offset: head } }));
    storage = () => ({ storage: saved, storageKey: STORAGE_KEY });
  }
  const fleet = await LoadFleet.open(server, [user], { concurrency: 1, syncTimeoutMs: SYNC_TIMEOUT_MS, storageOf: storage });
  try {
    const run = await measurePacedEmits(server, redis, fleet, [{ kind: 'user', name: user }], paced);
    const { bytes } = await redis.keyStats(`${userStreamKeys(serverPrefix, user)}:log`);
    return { axis: 'length', value: length, label, run, bytesPerEntry: bytes / (length + paced.count) };
  } finally {
    await fleet.close();
    await redis.deleteKeys(userStreamKeys(serverPrefix, user)); // a million-message stream should not outlive its point
  }
}

async function roomPoints(server: ServerHandle, redis: RedisStats, rooms: number, paced: PacedOptions): Promise<CostPoint[]> {
  const user = fresh(`rooms${rooms}`);
  const roomNames = Array.from({ length: rooms }, (_, index) => `${user}-room-${index}`);
  await server.join({ user, rooms: roomNames });
  const stop = await startCostMeter(server, redis);
  const started = performance.now();
  const fleet = await LoadFleet.open(server, [user], { concurrency: 1, syncTimeoutMs: SYNC_TIMEOUT_MS });
  const connect = { ms: performance.now() - started, reading: await stop() };
  try {
    const points: CostPoint[] = [];
    const targets: Array<[string, LoadTarget]> = [['to the user', { kind: 'user', name: user }], ['to one of its rooms', { kind: 'room', name: roomNames[0] }]];
    for (const [label, target] of targets) {
      points.push({ axis: 'rooms', value: rooms, label, run: await measurePacedEmits(server, redis, fleet, [target], paced), connect });
    }
    return points;
  } finally {
    await fleet.close();
  }
}

/**
 * `long` keeps every message (`retention.maxLength` above the longest length); `capped` has the default
 * retention. `prefixOf` gives each server's Redis key prefix.
 */
export async function runCostCurves(
  servers: { long: ServerHandle; capped: ServerHandle }, prefixOf: { long: string; capped: string }, redis: RedisStats, options: CostCurveOptions,
): Promise<CostCurveResult> {
  const paced: PacedOptions = { count: options.count, ratePerSec: options.ratePerSec, maxPending: options.count, drainMs: 10_000 };
  // Warm-up: JIT, scripts, connection pools, on both servers.
  for (const kind of ['long', 'capped'] as const) await lengthPoint(servers[kind], prefixOf[kind], redis, 0, 'warm-up', paced);
  const points: CostPoint[] = [];
  for (const length of options.lengths) {
    points.push(await lengthPoint(servers.long, prefixOf.long, redis, length, 'to the user, all kept', paced));
  }
  points.push(await lengthPoint(servers.capped, prefixOf.capped, redis, options.defaultCap, 'to the user, default retention (trims 1 per append)', paced));
  for (const rooms of options.rooms) points.push(...(await roomPoints(servers.long, redis, rooms, paced)));
  return { options, points };
}
