/**
 * Scenario 7 — one message to 1,000 connected clients, each a distinct user (issue 5).
 * - plain: 1,000 socket.io-client sockets on a bare Socket.IO server, which does one `namespace.emit` (`io.emit`);
 * - reliable: 1,000 light protocol clients on the Nest app (Redis store), which starts a campaign with
 *   `CampaignService.start({ target: { users }, … })` and no `ratePerSecond` (no rate limit).
 * Timed from just before the emit / `start()` (server clock, absolute, so comparable across processes) until
 * every client's handler ran; reliable also until `progress(id)` reports `delivered === 1000`.
 * Light clients, because 1,000 `ReliableClient`s would load the bench process more than the server under test:
 * bare socket.io-client sockets that send the SDK's handshake (`auth.rs`), ack every `rs:batch` page with
 * `{ ok: true }`, handle `rs:msg` / `rs:msgs` (dropping offsets at or below their cursor, as the SDK does) and send
 * a cumulative `rs:ack` at once after each handled message (the SDK gathers acks for up to 50 ms first).
 * Verified per round: every client got the round's payload exactly once (no other round's, no second copy,
 * none after a settle period), and the campaign's final progress is `total = delivered = 1000`, nothing pending or expired.
 */
import { io, type Socket } from 'socket.io-client';
import { HANDSHAKE_FIELD, PROTOCOL_VERSION, WireEvent, type HandshakeState } from '@reliable-socket/client/protocol';
import { absoluteNow } from '../lib/bench-server.js';
import { closeSockets } from '../lib/idle-sockets.js';
import { runBounded } from '../lib/emit-pool.js';
import { BENCH_NAMESPACE, CAMPAIGN_EVENT, type CampaignPayload } from '../lib/payload.js';
import type { CampaignReply } from '../lib/server-protocol.js';
import type { ServerHandle } from '../lib/server-handle.js';
import { median, percentile, sleep, waitUntil, withDeadline } from '../lib/timing.js';

export interface CampaignOptions {
  clients: number;
  rounds: number;
  warmupRounds: number;
  concurrency: number;
}

export interface CampaignRun {
  /** Emit / `start()` → every client's handler ran (ms). */
  allReceivedMs: number;
  /** Per client, emit / `start()` → its handler ran. */
  p50Ms: number;
  /** `start()` (or `emit`) call itself (ms). */
  startCallMs: number;
  /** Reliable: `start()` → `progress(id).delivered === clients` (ms). */
  progressDeliveredMs?: number;
  progressPolls?: number;
  /** Copies dropped by a light client because their offset was at or below its cursor (reliable). */
  wireDuplicates: number;
}

export interface CampaignResult {
  clients: number;
  runs: { plain: CampaignRun[]; reliable: CampaignRun[] };
  /** Deliveries per second = clients ÷ seconds; medians over rounds. */
  plainPerSec: number;
  reliableReceivedPerSec: number;
  reliableProgressPerSec: number;
  /** Median over rounds of (reliable ÷ plain deliveries/s in the same round). */
  receivedRatio: number;
  progressRatio: number;
  median: { plainMs: number; reliableReceivedMs: number; reliableProgressMs: number; reliableP50Ms: number; reliableStartCallMs: number; plainP50Ms: number };
}

const CONNECT_TIMEOUT_MS = 15_000;
const ROUND_TIMEOUT_MS = 30_000;
/** After a round completes: time for any duplicate or stray copy to show up before it is checked. */
const SETTLE_MS = 150;

/** Who got round `round`'s payload, and when; everything else that arrives is a problem. */
class RoundTracker {
  readonly at: Float64Array;
  received = 0;
  problems: string[] = [];
  private done!: () => void;
  readonly complete: Promise<void>;

  constructor(
    readonly round: number,
    readonly clients: number,
  ) {
    this.at = new Float64Array(clients);
    this.complete = new Promise<void>((resolve) => {
      this.done = resolve;
    });
  }

  record(client: number, payload: CampaignPayload): void {
    const at = absoluteNow();
    if (payload?.round !== this.round) return this.problem(`client ${client}: payload of round ${payload?.round} during round ${this.round}`);
    if (this.at[client] !== 0) return this.problem(`client ${client}: round ${this.round} received twice`);
    this.at[client] = at;
    this.received += 1;
    if (this.received === this.clients) this.done();
  }

  problem(message: string): void {
    if (this.problems.length < 5) this.problems.push(message);
    else this.problems[4] = `${message} (and more)`;
  }
}

/** The tracker of the round under way; a message outside any round is a problem of the next check. */
interface Fleet {
  sockets: Socket[];
  current: RoundTracker | undefined;
  stray: string[];
  wireDuplicates: number;
}

function deliver(fleet: Fleet, client: number, payload: CampaignPayload): void {
  if (fleet.current) fleet.current.record(client, payload);
  else fleet.stray.push(`client ${client}: payload of round ${payload?.round} outside any round`);
}

async function openFleet(server: ServerHandle, clients: number, concurrency: number, userOf: (index: number) => string, speaksProtocol: boolean): Promise<Fleet> {
  const fleet: Fleet = { sockets: [], current: undefined, stray: [], wireDuplicates: 0 };
  try {
    await runBounded(clients, concurrency, async (index) => {
      const user = userOf(index);
      const rs: HandshakeState = { v: PROTOCOL_VERSION, session: `${user}-instance`, cursors: {} };
      const socket = io(`${server.url}${BENCH_NAMESPACE}`, {
        transports: ['websocket'], reconnection: false, forceNew: true, auth: speaksProtocol ? { user, [HANDSHAKE_FIELD]: rs } : { user },
      });
      fleet.sockets.push(socket);
      if (speaksProtocol) speakProtocol(socket, fleet, index);
      else socket.on(CAMPAIGN_EVENT, (payload: CampaignPayload) => deliver(fleet, index, payload));
      const up = new Promise<void>((resolve, reject) => {
        socket.once(speaksProtocol ? WireEvent.Synced : 'connect', () => resolve());
        socket.once('connect_error', reject);
        socket.once('disconnect', (reason) => reject(new Error(`disconnected before it was up: ${reason}`)));
      });
      await withDeadline(up, CONNECT_TIMEOUT_MS, `campaign client ${user}`);
    });
  } catch (error) {
    closeSockets(fleet.sockets);
    throw error;
  }
  return fleet;
}

interface WireMessageLite { offset: number; event: string; data: unknown }

/** The SDK's receiving side, minimally: cursors per stream, drop what is at or below them, handle, ack cumulatively. */
function speakProtocol(socket: Socket, fleet: Fleet, client: number): void {
  const cursors = new Map<string, { epoch: string; offset: number }>();
  const handle = (stream: string, epoch: string, message: WireMessageLite): boolean => {
    const cursor = cursors.get(stream);
    if (cursor && cursor.epoch === epoch && message.offset <= cursor.offset) {
      fleet.wireDuplicates += 1;
      return false;
    }
    cursors.set(stream, { epoch, offset: message.offset });
    if (message.event === CAMPAIGN_EVENT) deliver(fleet, client, message.data as CampaignPayload);
    return true;
  };
  const ack = (stream: string): void => {
    const offset = cursors.get(stream)?.offset;
    if (offset !== undefined) socket.emit(WireEvent.Ack, { acks: { [stream]: offset } });
  };
  socket.on(WireEvent.Batch, (batch: { stream: string; epoch: string; after: number; messages: WireMessageLite[] }, reply?: (answer: unknown) => void) => {
    const cursor = cursors.get(batch.stream);
    if (!cursor || cursor.epoch !== batch.epoch || cursor.offset < batch.after) cursors.set(batch.stream, { epoch: batch.epoch, offset: batch.after });
    let advanced = false;
    for (const message of batch.messages) advanced = handle(batch.stream, batch.epoch, message) || advanced;
    reply?.({ ok: true });
    if (advanced) ack(batch.stream);
  });
  socket.on(WireEvent.Message, (envelope: WireMessageLite & { stream: string; epoch: string }) => {
    if (handle(envelope.stream, envelope.epoch, envelope)) ack(envelope.stream);
  });
  socket.on(WireEvent.Messages, (envelope: { stream: string; epoch: string; messages: WireMessageLite[] }) => {
    let advanced = false;
    for (const message of envelope.messages) advanced = handle(envelope.stream, envelope.epoch, message) || advanced;
    if (advanced) ack(envelope.stream);
  });
}

async function measureRound(fleet: Fleet, server: ServerHandle, round: number, users: string[]): Promise<CampaignRun> {
  const clients = fleet.sockets.length;
  const tracker = new RoundTracker(round, clients);
  const duplicatesBefore = fleet.wireDuplicates;
  fleet.current = tracker;
  let reply: CampaignReply;
  try {
    reply = await server.campaign({ round, users, timeoutMs: ROUND_TIMEOUT_MS });
    await withDeadline(tracker.complete, ROUND_TIMEOUT_MS, `${server.kind} round ${round}: ${tracker.received} of ${clients} clients received`);
    await sleep(SETTLE_MS);
  } finally {
    fleet.current = undefined;
  }
  const problems = [...fleet.stray.splice(0), ...tracker.problems];
  if (problems.length > 0 || tracker.received !== clients) {
    throw new Error(`${server.kind} round ${round}: ${tracker.received} of ${clients} received exactly once; ${problems.join('; ')}`);
  }
  if (reply.progress) {
    const { total, delivered, pending, expired } = reply.progress;
    if (total !== clients || delivered !== clients || pending !== 0 || expired !== 0) {
      throw new Error(`${server.kind} round ${round}: campaign progress ${JSON.stringify(reply.progress)}, expected ${clients} delivered of ${clients}`);
    }
  }
  const latencies = Array.from(tracker.at, (at) => at - reply.startedAt);
  return {
    allReceivedMs: Math.max(...latencies),
    p50Ms: percentile(latencies, 50),
    startCallMs: reply.startReturnedAt - reply.startedAt,
    progressDeliveredMs: reply.deliveredAt === undefined ? undefined : reply.deliveredAt - reply.startedAt,
    progressPolls: reply.progressPolls,
    wireDuplicates: fleet.wireDuplicates - duplicatesBefore,
  };
}

let runNumber = 0;

/** `servers` are fresh processes of their own: no other reliable server may share their key prefix (its worker would take part). */
export async function runCampaignDelivery(servers: { plain: ServerHandle; reliable: ServerHandle }, options: CampaignOptions): Promise<CampaignResult> {
  const { clients, rounds, warmupRounds, concurrency } = options;
  runNumber += 1;
  const users = Array.from({ length: clients }, (_, index) => `campaign-${process.pid}-${runNumber}-${index}`);
  const plainFleet = await openFleet(servers.plain, clients, concurrency, (index) => users[index], false);
  let reliableFleet: Fleet | undefined;
  try {
    reliableFleet = await openFleet(servers.reliable, clients, concurrency, (index) => users[index], true);
    const sockets = { plain: plainFleet, reliable: reliableFleet };
    for (const [kind, fleet] of Object.entries(sockets)) {
      const server = kind === 'plain' ? servers.plain : servers.reliable;
      await waitUntil(async () => (await server.snapshot()).connections === clients, `${clients} ${kind} connections on the server`);
      if (fleet.sockets.some((socket) => !socket.connected)) throw new Error(`a ${kind} campaign client is not connected`);
    }
    const runs: CampaignResult['runs'] = { plain: [], reliable: [] };
    for (let round = 1; round <= warmupRounds + rounds; round += 1) {
      const plain = await measureRound(plainFleet, servers.plain, round, users);
      const reliable = await measureRound(reliableFleet, servers.reliable, round, users);
      if (round > warmupRounds) {
        runs.plain.push(plain);
        runs.reliable.push(reliable);
      }
    }
    const perSec = (ms: number): number => clients / (ms / 1000);
    const pick = (values: CampaignRun[], field: (run: CampaignRun) => number): number => median(values.map(field));
    return {
      clients,
      runs,
      plainPerSec: pick(runs.plain, (run) => perSec(run.allReceivedMs)),
      reliableReceivedPerSec: pick(runs.reliable, (run) => perSec(run.allReceivedMs)),
      reliableProgressPerSec: pick(runs.reliable, (run) => perSec(run.progressDeliveredMs ?? Number.NaN)),
      receivedRatio: median(runs.plain.map((plain, index) => plain.allReceivedMs / runs.reliable[index].allReceivedMs)),
      progressRatio: median(runs.plain.map((plain, index) => plain.allReceivedMs / (runs.reliable[index].progressDeliveredMs ?? Number.NaN))),
      median: {
        plainMs: pick(runs.plain, (run) => run.allReceivedMs),
        plainP50Ms: pick(runs.plain, (run) => run.p50Ms),
        reliableReceivedMs: pick(runs.reliable, (run) => run.allReceivedMs),
        reliableProgressMs: pick(runs.reliable, (run) => run.progressDeliveredMs ?? Number.NaN),
        reliableP50Ms: pick(runs.reliable, (run) => run.p50Ms),
        reliableStartCallMs: pick(runs.reliable, (run) => run.startCallMs),
      },
    };
  } finally {
    closeSockets(plainFleet.sockets);
    if (reliableFleet) closeSockets(reliableFleet.sockets);
  }
}
