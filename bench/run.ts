/**
 * `npm run bench`: measures reliable-socket against plain Socket.IO in the same run and prints one table.
 * Servers run in child processes (one per kind, all started up front); clients run here.
 */
import { machineFacts } from './lib/machine.js';
import { RedisStats } from './lib/redis-stats.js';
import { renderReport } from './lib/report.js';
import { ServerHandle } from './lib/server-handle.js';
import type { ServerKind } from './lib/server-protocol.js';
import { measureCsrRecovery, measurePlainRecovery, measureReliableRecovery, runRecovery } from './scenarios/recovery.js';
import { redisRoundTrips, sequentialWritesPerMessage } from './scenarios/redis-round-trips.js';
import { runThroughput } from './scenarios/throughput.js';

const CONFIG = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  throughput: { count: 20_000, warmupCount: 2_000, concurrency: 256, rounds: 5 },
  recovery: { count: 10_000, concurrency: 256, rounds: 3 },
  /** The whole run is abandoned past this (the build before it takes ~15 s of the ~3 min budget). */
  hardLimitMs: 150_000,
};

const log = (message: string): void => console.log(`· ${message}`);

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
  const start = async (kind: ServerKind): Promise<ServerHandle> => {
    const server = await ServerHandle.start(kind, { redisUrl: CONFIG.redisUrl, keyPrefix });
    servers.push(server);
    return server;
  };
  try {
    const facts = await machineFacts(redis);
    log(`starting servers (redis key prefix ${keyPrefix})`);
    const [plain, plainCsr, reliableRedis, reliableMemory] = await Promise.all(
      (['plain', 'plain-csr', 'reliable-redis', 'reliable-memory'] as const).map(start),
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

    console.log(`\n${renderReport({ facts, throughput, roundTrips, sequentialWritesPerMessage: sequentialWrites, recovery, recoveryCount: count, concurrency: CONFIG.throughput.concurrency })}\n`);
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
