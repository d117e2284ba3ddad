import { randomBytes } from 'node:crypto';
import { deleteKeysWithPrefix } from '../../test/support/redis-prefix.js';
import { pingRedis } from '../../test/support/redis-ping.js';
import { sleep, waitFor } from '../../test/support/wait.js';
import { runBounded } from '../lib/emit-pool.js';
import { ChaosCluster, HEARTBEAT } from './chaos.cluster.js';
import type { ChaosOptions } from './chaos.options.js';
import { failuresOf, type ChaosSummary } from './chaos.report.js';
import { ChatParticipant } from './chat.participant.js';
import { DeliveryLedger } from './delivery.ledger.js';
import { verifyDeliveries } from './delivery.verifier.js';
import { FaultInjector } from './fault.injector.js';
import { FAULT_KINDS, faultWindow, planFaults, type FaultKind, type PlannedFault } from './fault.plan.js';
import { samplePaths } from './sample.paths.js';
import { SeededRandom } from './seeded.random.js';
import { TrafficGenerator } from './traffic.generator.js';

const ROOMS_PER_CLIENT = 2;
const SETUP_CONCURRENCY = 20;
const CONNECT_TIMEOUT_MS = 60_000;
/** After everything arrived, a late duplicate would show up within this. */
const DUPLICATE_GRACE_MS = 1_000;

/**
 * One chaos run: starts the cluster and the clients, lets them chat while the fault schedule runs, waits
 * (bounded) for every send to settle and every acknowledged message to arrive, and keeps the ledger that
 * {@link summary} judges. Call {@link shutdown} in any case.
 */
export class ChaosRun {
  readonly ledger = new DeliveryLedger();
  readonly plan: PlannedFault[];
  private readonly roomMembers = new Map<string, string[]>();
  private readonly roomsOf: string[][] = [];
  private readonly keyPrefix = `rs-chaos:${randomBytes(4).toString('hex')}:`;
  private cluster: ChaosCluster | undefined;
  private participants: ChatParticipant[] = [];
  private injector: FaultInjector | undefined;

  constructor(
    private readonly options: ChaosOptions,
    private readonly log: (line: string) => void,
  ) {
    const random = new SeededRandom(options.seed);
    this.plan = planFaults(random.fork(1), { ...options, heartbeatMs: HEARTBEAT.pingIntervalMs + HEARTBEAT.pingTimeoutMs });
    this.assignRooms(random.fork(2));
  }

  async execute(): Promise<void> {
    const { root, sampleEntry } = samplePaths();
    const redis = new URL(this.options.redisUrl);
    if (!(await pingRedis(Number(redis.port || 6379), redis.hostname.replace(/^\[|\]$/g, ''), 2_000))) throw new Error(`Redis does not answer at ${this.options.redisUrl}`);
    this.log(`starting ${this.options.nodes} nodes (key prefix ${this.keyPrefix})`);
    const cluster = (this.cluster = await ChaosCluster.start({ nodes: this.options.nodes, redisUrl: this.options.redisUrl, keyPrefix: this.keyPrefix, sampleEntry, cwd: root }));
    await this.connectClients(cluster);
    this.injector = new FaultInjector(this.plan, cluster, this.participants, this.log);
    const traffic = new TrafficGenerator(this.participants, this.roomMembers, this.ledger, new SeededRandom(this.options.seed).fork(3), this.options.ratePerSecond);

    this.log(`traffic for ${this.options.durationMs / 1000} s at ${this.options.ratePerSecond} sends/s, ${this.plan.length} faults planned`);
    const startedAt = Date.now();
    const [, faults] = await Promise.allSettled([traffic.run(this.options.durationMs), this.injector.run(startedAt, faultWindow(this.options.durationMs).endMs)]);
    if (faults.status === 'rejected') throw faults.reason;
    this.log(`traffic stopped after ${traffic.count} sends; waiting up to ${this.options.catchUpMs / 1000} s for acks and deliveries`);
    await this.catchUp();
    await sleep(DUPLICATE_GRACE_MS);
  }

  /** The verdict on what the ledger holds now; `broken` says why the run itself failed, if it did. */
  summary(broken?: string): ChaosSummary {
    const delivery = verifyDeliveries(this.ledger);
    const faults = this.injector?.injected ?? (Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>);
    return {
      seed: this.options.seed,
      nodes: this.options.nodes,
      clients: this.options.clients,
      rooms: this.options.rooms,
      durationS: this.options.durationMs / 1000,
      ratePerSecond: this.options.ratePerSecond,
      delivery,
      faults,
      faultsSkipped: this.injector?.skipped.length ?? 0,
      broken,
      failures: failuresOf(delivery, broken),
    };
  }

  /** Error and warning lines the nodes printed (at most `perNode` each), for the diagnosis of a failed run. */
  nodeProblems(perNode: number): string[] {
    return this.cluster?.problemLines(perNode) ?? [];
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.participants.map((participant) => participant.close()));
    await this.cluster?.stop();
    await deleteKeysWithPrefix(this.options.redisUrl, this.keyPrefix).catch((error: unknown) => this.log(`could not delete the run's keys: ${(error as Error).message}`));
  }

  /** Room `k % rooms` for client `k`, plus one more drawn at random, so that every room has members. */
  private assignRooms(random: SeededRandom): void {
    const rooms = Array.from({ length: this.options.rooms }, (_, index) => `chaos-room-${index}`);
    for (let index = 0; index < this.options.clients; index += 1) {
      const first = rooms[index % rooms.length];
      const others = random.shuffle(rooms.filter((room) => room !== first)).slice(0, ROOMS_PER_CLIENT - 1);
      this.roomsOf.push([first, ...others]);
      for (const room of [first, ...others]) this.roomMembers.set(room, [...(this.roomMembers.get(room) ?? []), userName(index)]);
    }
  }

  private async connectClients(cluster: ChaosCluster): Promise<void> {
    const { clients, durationMs, catchUpMs } = this.options;
    this.log(`connecting ${clients} clients through ${cluster.size} front proxies`);
    const ttlSeconds = Math.ceil((durationMs + catchUpMs) / 1000) + 3_600;
    this.participants = new Array<ChatParticipant>(clients);
    await runBounded(clients, SETUP_CONCURRENCY, async (index) => {
      const token = await devToken(cluster.liveNodeUrl(), userName(index), ttlSeconds);
      this.participants[index] = new ChatParticipant(userName(index), this.roomsOf[index], cluster.frontUrl(index % cluster.size), token, this.ledger);
    });
    await waitFor(() => this.participants.every((participant) => participant.connected), {
      timeoutMs: CONNECT_TIMEOUT_MS,
      message: () => `${this.participants.filter((participant) => !participant.connected).length} of ${clients} clients to connect`,
    });
    await runBounded(clients, SETUP_CONCURRENCY, async (index) => {
      for (const room of this.participants[index].rooms) await this.participants[index].join(room);
    });
  }

  /** Waits, bounded, until every send settled and every acknowledged message reached all its recipients. */
  private async catchUp(): Promise<void> {
    const deadline = Date.now() + this.options.catchUpMs;
    // Bounded by the deadline; reports progress every few seconds.
    while (Date.now() < deadline) {
      const unsettled = this.ledger.unsettled();
      const undelivered = this.ledger.undelivered();
      if (unsettled === 0 && undelivered === 0) return;
      this.log(`  catching up: ${unsettled} sends unsettled, ${undelivered} deliveries missing`);
      await waitFor(() => this.ledger.unsettled() === 0 && this.ledger.undelivered() === 0, { timeoutMs: Math.min(5_000, Math.max(1, deadline - Date.now())), intervalMs: 200 }).catch(() => undefined);
    }
  }
}

function userName(index: number): string {
  return `chaos-u${String(index).padStart(4, '0')}`;
}

async function devToken(nodeUrl: string, user: string, ttlSeconds: number): Promise<string> {
  const response = await fetch(`${nodeUrl}/dev/token?${new URLSearchParams({ user, ttl: String(ttlSeconds) })}`);
  if (!response.ok) throw new Error(`GET /dev/token for ${user}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
