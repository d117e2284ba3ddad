/**
 * Scenario 4 — reliable client → server messages. One client sends `count` messages to the Nest bench
 * gateway with `window` of them awaiting their reply at once; every reply must be its own message
 * echoed back, or the bench fails:
 * - plain: socket.io-client `emitWithAck('echo')`, a handler with the same body but no `@Reliable()`;
 * - reliable: `ReliableClient.send('echo-reliable')` (persistent outbox, message id, exactly-once claim
 *   and reply record on the server). The window is the SDK's own default `maxInFlight` (32).
 * Both variants talk to the same server process, so the ratio is what `@Reliable()` and the SDK cost.
 */
import { MemoryStorage, type ReliableClient } from '@reliable-socket/client';
import type { Socket } from 'socket.io-client';
import { plainClient, reliableClient, whenSynced } from '../lib/clients.js';
import { runBounded } from '../lib/emit-pool.js';
import { ECHO_EVENT, RELIABLE_ECHO_EVENT, makePayload, type BenchPayload } from '../lib/payload.js';
import type { RedisStats } from '../lib/redis-stats.js';
import type { ServerHandle } from '../lib/server-handle.js';
import { collectGarbage, cpuMicros, median, now, percentile, withDeadline } from '../lib/timing.js';

export type SendVariant = 'plain' | 'reliable';
export type SendStore = 'redis' | 'memory';

export interface SendOptions {
  count: number;
  warmupCount: number;
  /** Replies awaited at once; 32 is the SDK's default `maxInFlight`, so it never queues behind it. */
  window: number;
  rounds: number;
}

export interface SendRun {
  variant: SendVariant;
  count: number;
  ms: number;
  msgsPerSec: number;
  /** Per message, from the call (`emitWithAck` / `send`) until its promise resolved. */
  p50Ms: number;
  p99Ms: number;
  /** CPU time per message of the server process and of this (client) process, µs. */
  serverCpuMicros: number;
  clientCpuMicros: number;
  /** Redis writes (round trips) of the server process per message. */
  redisWritesPerMessage: number;
  /** Keys (and their bytes) under the run's prefix that the run left in Redis, per message (only measured when asked). */
  keysPerMessage?: number;
  redisBytesPerMessage?: number;
}

export interface SendStoreResult {
  runs: Record<SendVariant, SendRun[]>;
  medianMsgsPerSec: Record<SendVariant, number>;
  medianP50Ms: Record<SendVariant, number>;
  medianP99Ms: Record<SendVariant, number>;
  /** Median over rounds of (reliable ÷ plain in the same round). */
  ratio: number;
}

export type SendResult = Record<SendStore, SendStoreResult>;

/** No reply within this long fails the message (and the bench): a healthy loopback reply takes milliseconds. */
const REPLY_TIMEOUT_MS = 10_000;
/** A whole run of 5,000 messages would have to crawl below ~170 msg/s to hit this. */
const RUN_TIMEOUT_MS = 30_000;

let runNumber = 0;

/** Sends one message and resolves with its reply; the variant decides how. */
type Sender = (payload: BenchPayload) => Promise<unknown>;

async function connectSender(server: ServerHandle, variant: SendVariant, user: string): Promise<{ send: Sender; close: () => Promise<void> }> {
  if (variant === 'plain') {
    const socket: Socket = await plainClient(server, user);
    return {
      send: (payload) => socket.timeout(REPLY_TIMEOUT_MS).emitWithAck(ECHO_EVENT, payload),
      close: async () => void socket.disconnect(),
    };
  }
  const client: ReliableClient = reliableClient(server, user, new MemoryStorage());
  try {
    await whenSynced(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    send: (payload) => client.send(RELIABLE_ECHO_EVENT, payload, { timeoutMs: REPLY_TIMEOUT_MS }),
    close: () => client.close(),
  };
}

/** Throws unless `reply` is exactly the message that was sent (the echo handler returns its body). */
function checkReply(variant: SendVariant, seq: number, reply: unknown): void {
  const expected = JSON.stringify(makePayload(seq));
  if (JSON.stringify(reply) !== expected) throw new Error(`${variant} send #${seq}: expected the reply ${expected}, got ${JSON.stringify(reply)}`);
}

export async function measureSends(
  server: ServerHandle, variant: SendVariant, count: number, window: number, keys?: { redis: RedisStats; prefix: string },
): Promise<SendRun> {
  runNumber += 1;
  const user = `snd-${server.kind}-${variant}-${runNumber}`;
  const { send, close } = await connectSender(server, variant, user);
  try {
    const latencies = new Float64Array(count);
    const keysBefore = keys ? await keys.redis.keyStats(keys.prefix) : undefined;
    const before = await server.snapshot(true);
    collectGarbage();
    const clientCpuBefore = cpuMicros();

    const started = now();
    await withDeadline(runBounded(count, window, async (seq) => {
      const sentAt = now();
      const reply = await send(makePayload(seq));
      latencies[seq] = now() - sentAt;
      checkReply(variant, seq, reply);
    }), RUN_TIMEOUT_MS, `${server.kind} ${variant} sends`);
    const ms = now() - started;
    const clientCpu = cpuMicros() - clientCpuBefore;

    const after = await server.snapshot();
    const handlerRuns = after.reliableHandlerRuns - before.reliableHandlerRuns;
    // Nothing was retried on a healthy loopback, so exactly-once means exactly one run per message.
    if (variant === 'reliable' && handlerRuns !== count) throw new Error(`${server.kind}: the @Reliable() handler ran ${handlerRuns} times for ${count} messages`);
    const keysAfter = keys ? await keys.redis.keyStats(keys.prefix) : undefined;
    return {
      variant,
      count,
      ms,
      msgsPerSec: (count / ms) * 1000,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      serverCpuMicros: (after.cpuMicros - before.cpuMicros) / count,
      clientCpuMicros: clientCpu / count,
      redisWritesPerMessage: (after.redisWrites.total - before.redisWrites.total) / count,
      ...(keysBefore && keysAfter
        ? { keysPerMessage: (keysAfter.keys - keysBefore.keys) / count, redisBytesPerMessage: (keysAfter.bytes - keysBefore.bytes) / count }
        : {}),
    };
  } finally {
    await close();
  }
}

const VARIANTS: SendVariant[] = ['plain', 'reliable'];

/**
 * Per store: one warm-up run per variant, then `rounds` rounds of plain then reliable against the same
 * server. Redis keys are measured around the Redis runs only (SCAN + MEMORY USAGE of the run's keys).
 */
export async function runSends(
  servers: Record<SendStore, ServerHandle>, redis: RedisStats, keyPrefix: string, options: SendOptions,
): Promise<SendResult> {
  const result = {} as SendResult;
  for (const store of Object.keys(servers) as SendStore[]) {
    const server = servers[store];
    const keys = store === 'redis' ? { redis, prefix: keyPrefix } : undefined;
    for (const variant of VARIANTS) await measureSends(server, variant, options.warmupCount, options.window);
    const runs: Record<SendVariant, SendRun[]> = { plain: [], reliable: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const variant of VARIANTS) runs[variant].push(await measureSends(server, variant, options.count, options.window, keys));
    }
    const byVariant = (pick: (run: SendRun) => number): Record<SendVariant, number> =>
      ({ plain: median(runs.plain.map(pick)), reliable: median(runs.reliable.map(pick)) });
    result[store] = {
      runs,
      medianMsgsPerSec: byVariant((run) => run.msgsPerSec),
      medianP50Ms: byVariant((run) => run.p50Ms),
      medianP99Ms: byVariant((run) => run.p99Ms),
      ratio: median(runs.reliable.map((run, round) => run.msgsPerSec / runs.plain[round].msgsPerSec)),
    };
  }
  return result;
}
