/**
 * `npm run bench`: measures reliable-socket against plain Socket.IO in the same run and prints the tables.
 * Servers run in child processes (one per kind, started up front; the idle-connection scenario starts
 * fresh ones of its own, so their heaps hold nothing else); clients run here.
 */
import { machineFacts } from './lib/machine.js';
import { RedisStats } from './lib/redis-stats.js';
import { renderReport } from './lib/report.js';
import { ServerHandle } from './lib/server-handle.js';
import type { ServerKind } from './lib/server-protocol.js';
import { runConnectionRate } from './scenarios/connection-rate.js';
import { runIdleMemory } from './scenarios/idle-memory.js';
import { measureCsrRecovery, measurePlainRecovery, measureReliableRecovery, runRecovery } from './scenarios/recovery.js';
import { redisRoundTrips, sequentialWritesPerMessage } from './scenarios/redis-round-trips.js';
import { runSends } from './scenarios/reliable-sends.js';
import { runThroughput } from './scenarios/throughput.js';
// Scenario 7 (campaign delivery to 1,000 clients vs io.emit):
import { renderCampaignReport } from './lib/report-campaign.js';
import { runCampaignDelivery } from './scenarios/campaign-delivery.js';

const CONFIG = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  throughput: { count: 20_000, warmupCount: 2_000, concurrency: 256, rounds: 5 },
  recovery: { count: 10_000, concurrency: 256, rounds: 3 },
  /** Client → server: 32 awaiting their reply at once, the SDK's default `maxInFlight`. */
  sends: { count: 5_000, warmupCount: 500, window: 32, rounds: 5 },
  connections: { count: 500, concurrency: 50, warmupCount: 50, rounds: 5 },
  /** Fewer when `ulimit -n` cannot hold them (the report says so). */
  idle: { count: 10_000, concurrency: 100 },
  /** Scenario 7: one message to `clients` connected clients (distinct users), `io.emit` vs a campaign without rate limit. */
  campaign: { clients: 1_000, rounds: 5, warmupRounds: 1, concurrency: 100 },
  /** The whole run is abandoned past this (the build before it takes ~15 s of the ~4 min budget). */
  hardLimitMs: 225_000,
};

const log = (message: string): void => console.log(`· ${message}`);

/**
 * `BENCH_ONLY=reliable-sends` or `BENCH_ONLY=idle-memory` runs that one scenario and prints its raw results
 * instead of the full report: a quicker loop while profiling one path.
 */
const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  const guard = setTimeout(() => {
    console.error(`bench: gave up after ${CONFIG.hardLimitMs} ms`);
    process.exit(1); // the server processes leave when their IPC channel closes
  }, CONFIG.hardLimitMs);
  guard.unref();

  // Unique per run and free of glob characters, so the cleanup SCAN matches only this run's keys.
  const keyPrefix = `rs-bench-${process.pid}-${Date.now()}:`;
  const redis = new RedisStats(CONFIG.redisUrl);
  try {
    await redis.assertReachable();
  } catch (error) {
    await redis.close();
    throw error;
  }
  const servers: ServerHandle[] = [];
  const start = async (kind: ServerKind, serverKeyPrefix = keyPrefix): Promise<ServerHandle> => {
    const server = await ServerHandle.start(kind, { redisUrl: CONFIG.redisUrl, keyPrefix: serverKeyPrefix });
    servers.push(server);
    return server;
  };
  try {
    const facts = await machineFacts(redis);
    if (ONLY === 'reliable-sends') {
      const [reliableRedis, reliableMemory] = await Promise.all((['reliable-redis', 'reliable-memory'] as const).map((kind) => start(kind)));
      const sends = await runSends({ redis: reliableRedis, memory: reliableMemory }, redis, keyPrefix, CONFIG.sends);
      for (const [store, result] of Object.entries(sends)) {
        const cpu = (runs: { serverCpuMicros: number; clientCpuMicros: number }[]): string =>
          runs.map((run) => `${Math.round(run.serverCpuMicros)}/${Math.round(run.clientCpuMicros)}`).join(' ');
        console.log(`${store}: ratio ${result.ratio.toFixed(2)}, msg/s ${JSON.stringify(result.medianMsgsPerSec)}, ` +
          `server/client CPU µs per message: plain ${cpu(result.runs.plain)}; reliable ${cpu(result.runs.reliable)}`);
      }
      return;
    }
    if (ONLY === 'idle-memory') {
      const idle = await runIdleMemory(start, redis, keyPrefix, { ...CONFIG.idle, openFileLimit: facts.openFileLimit });
      const perConnection = (variant: 'plain' | 'nest' | 'reliable'): number => Math.round(idle[variant].heapBytesPerConnection);
      console.log(`idle heap bytes / connection: plain ${perConnection('plain')}, nest ${perConnection('nest')}, reliable ${perConnection('reliable')}; ` +
        `library share ${perConnection('reliable') - perConnection('nest')}, over plain ${perConnection('reliable') - perConnection('plain')}`);
      return;
    }
    log(`starting servers (redis key prefix ${keyPrefix})`);
    const [plain, plainCsr, reliableRedis, reliableMemory, reliableUnique] = await Promise.all(
      (['plain', 'plain-csr', 'reliable-redis', 'reliable-memory', 'reliable-unique-redis'] as const).map((kind) => start(kind)),
    );

    log(`throughput: ${CONFIG.throughput.rounds} rounds × ${CONFIG.throughput.count} messages per variant`);
    const throughput = await runThroughput({ plain, 'reliable-redis': reliableRedis, 'reliable-memory': reliableMemory }, redis, CONFIG.throughput);
    const roundTrips = redisRoundTrips(throughput.runs['reliable-redis']);
    const sequentialWrites = await sequentialWritesPerMessage(reliableRedis, redis);

    const { count, concurrency, rounds } = CONFIG.recovery;
    log(`recovery: ${rounds} rounds × ${count} missed messages per variant`);
    const recovery = {
      plain: await runRecovery(1, () => measurePlainRecovery(plain, count)),
      plainCsr: await runRecovery(rounds, () => measureCsrRecovery(plainCsr, count)),
      redis: await runRecovery(rounds, () => measureReliableRecovery(reliableRedis, count, concurrency)),
      memory: await runRecovery(rounds, () => measureReliableRecovery(reliableMemory, count, concurrency)),
    };

    log(`client → server sends: ${CONFIG.sends.rounds} rounds × ${CONFIG.sends.count} messages per variant and store`);
    const sends = await runSends({ redis: reliableRedis, memory: reliableMemory }, redis, keyPrefix, CONFIG.sends);

    log(`connection setup: ${CONFIG.connections.rounds} rounds × ${CONFIG.connections.count} connections, ${CONFIG.connections.concurrency} at once`);
    const connections = await runConnectionRate({ plain, reliable: reliableUnique }, redis, CONFIG.connections);

    // Scenario 7: its own two server processes, the reliable one under its own key prefix, so no other
    // reliable server's campaign worker takes part; stopped before the idle scenario.
    log(`campaign: ${CONFIG.campaign.rounds} rounds × one message to ${CONFIG.campaign.clients} clients per variant`);
    const [campaignPlain, campaignReliable] = await Promise.all([start('plain'), start('reliable-redis', `${keyPrefix}campaign:`)]);
    const campaign = await runCampaignDelivery({ plain: campaignPlain, reliable: campaignReliable }, CONFIG.campaign);
    await Promise.all([campaignPlain.stop(), campaignReliable.stop()]);

    log(`idle connections: ${CONFIG.idle.count} per server (open-file limit ${facts.openFileLimit})`);
    const idle = await runIdleMemory(start, redis, keyPrefix, { ...CONFIG.idle, openFileLimit: facts.openFileLimit });

    console.log(`\n${renderReport({
      facts, throughput, roundTrips, sequentialWritesPerMessage: sequentialWrites, recovery, recoveryCount: count, concurrency: CONFIG.throughput.concurrency,
      sends, sendWindow: CONFIG.sends.window, connections, connectionOptions: CONFIG.connections, idle,
    })}\n`);
    console.log(`${renderCampaignReport(campaign)}\n`); // scenario 7
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    const deleted = await redis.deleteKeys(keyPrefix).catch((error: Error) => {
      console.error(`could not delete the keys under ${keyPrefix}: ${error.message}`);
      return 0;
    });
    log(`deleted ${deleted} redis keys under ${keyPrefix}`);
    await redis.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
