import { RELIABLE_ECHO_EVENT, makeLoadPayload } from './payload.js';
import { absoluteNow } from './bench-server.js';
import { startCostMeter, type CostReading } from './cost-meter.js';
import type { LoadFleet } from './load-fleet.js';
import { LoadRound } from './load-round.js';
import { runOpenLoop, type OpenLoopResult } from './open-loop.js';
import type { RedisStats } from './redis-stats.js';
import type { ServerHandle } from './server-handle.js';
import type { LoadTarget } from './server-protocol.js';
import { collectGarbage, now, percentile, sleep } from './timing.js';

export interface PacedOptions {
  count: number;
  ratePerSec: number;
  /** Messages under way at once beyond which the sender counts as fallen behind (and waits). */
  maxPending: number;
  /** Time for the last messages to arrive after the schedule ends, before the run counts as failed. */
  drainMs: number;
}

/** One open-loop run at one rate: server → client emits, or client → server `send`s. */
export interface PacedRun {
  direction: 'emit' | 'send';
  offeredPerSec: number;
  count: number;
  loop: OpenLoopResult;
  /** Messages ÷ time from the start until the last one was handled (emit) or replied to (send). */
  achievedPerSec: number;
  /** End to end from each message's scheduled time: to the client's handler (emit), to the reply (send). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Emits only: server side, from the `emit()` call until it resolved as durable. */
  emitP50Ms?: number;
  emitP99Ms?: number;
  reading: CostReading;
  /** Why the run did not complete (timeout, failed messages, wrong replies); absent when it did. */
  failure?: string;
}

/** The SDK gathers acks for up to 50 ms: waiting this long after the last message lets its ack land in the counts. */
const ACK_SETTLE_MS = 150;
const SEND_TIMEOUT_MS = 10_000;

const scheduleMs = ({ count, ratePerSec }: PacedOptions): number => (count / ratePerSec) * 1000;

/**
 * `count` emits from the server at `ratePerSec`, emit `k` to `targets[k % targets.length]`, each
 * target's messages expected by client `k % targets.length` of `fleet` (verified: each once, in order).
 */
export async function measurePacedEmits(server: ServerHandle, redis: RedisStats, fleet: LoadFleet, targets: LoadTarget[], options: PacedOptions): Promise<PacedRun> {
  const round = new LoadRound(options.count, targets.length);
  // Garbage of the previous run is not this one's to collect.
  await server.snapshot(true);
  collectGarbage();
  fleet.round = round;
  const stop = await startCostMeter(server, redis);
  const startedAt = absoluteNow();
  let failure: string | undefined;
  const reply = server.pacedEmit({ targets, count: options.count, ratePerSec: options.ratePerSec, maxPending: options.maxPending });
  reply.catch((error: Error) => round.fail(error));
  try {
    await round.waitComplete(scheduleMs(options) + options.drainMs, `emits at ${options.ratePerSec}/s`);
    round.verify(`emits at ${options.ratePerSec}/s`);
  } catch (error) {
    failure = (error as Error).message;
  }
  const { loop, emitP50Ms, emitP99Ms } = await reply;
  await sleep(ACK_SETTLE_MS);
  const reading = await stop();
  fleet.round = undefined;
  if (loop.failed > 0) failure ??= `${loop.failed} emits failed: ${loop.firstError}`;
  const complete = failure === undefined;
  return {
    direction: 'emit', offeredPerSec: options.ratePerSec, count: options.count, loop, reading, failure, emitP50Ms, emitP99Ms,
    achievedPerSec: complete ? options.count / ((round.lastAt - startedAt) / 1000) : round.received / (reading.wallMs / 1000),
    p50Ms: complete ? round.latencyMs(50) : Number.NaN,
    p99Ms: complete ? round.latencyMs(99) : Number.NaN,
    maxMs: complete ? round.latencyMs(100) : Number.NaN,
  };
}

/**
 * `count` `client.send()`s to the `@Reliable()` echo handler at `ratePerSec`, message `k` from client
 * `k % clients`; every reply must be its own message, and the handler must run once per message.
 */
export async function measurePacedSends(server: ServerHandle, redis: RedisStats, fleet: LoadFleet, options: PacedOptions): Promise<PacedRun> {
  const clients = fleet.clients;
  const latencies: number[] = [];
  let wrongReply: string | undefined;
  const before = await server.snapshot(true);
  collectGarbage();
  const stop = await startCostMeter(server, redis);
  const loop = await runOpenLoop(
    { count: options.count, ratePerSec: options.ratePerSec, maxPending: options.maxPending, timeoutMs: scheduleMs(options) + options.drainMs },
    async (k, scheduledAt) => {
      const payload = makeLoadPayload(k, Math.floor(k / clients.length), performance.timeOrigin + scheduledAt);
      const reply = await clients[k % clients.length].send(RELIABLE_ECHO_EVENT, payload, { timeoutMs: SEND_TIMEOUT_MS });
      latencies.push(now() - scheduledAt);
      if (JSON.stringify(reply) !== JSON.stringify(payload)) wrongReply ??= `send #${k}: reply ${JSON.stringify(reply)}`;
    },
  );
  await sleep(ACK_SETTLE_MS);
  const reading = await stop();
  const handlerRuns = (await server.snapshot()).reliableHandlerRuns - before.reliableHandlerRuns;
  let failure = wrongReply;
  if (loop.failed > 0 || loop.timedOut) failure ??= `${loop.completed} of ${options.count} sends replied (${loop.failed} failed: ${loop.firstError ?? 'timed out'})`;
  // Nothing was retried on a healthy loopback, so exactly-once means exactly one run per message.
  else if (handlerRuns !== options.count) failure ??= `the @Reliable() handler ran ${handlerRuns} times for ${options.count} messages`;
  return {
    direction: 'send', offeredPerSec: options.ratePerSec, count: options.count, loop, reading, failure,
    achievedPerSec: (loop.completed / loop.ms) * 1000,
    p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: percentile(latencies, 100),
  };
}
