/**
 * `npm run bench`: measures reliable-socket against plain Socket.IO in the same run and prints the tables.
 * Servers run in child processes (one per kind, started up front; the idle-connection scenario starts
 * fresh ones of its own, so their heaps hold nothing else); clients run here. The scale figures (10,000
 * connections, sustained rate, cost curves, Redis capacity) take minutes: `npm run bench:scale` (scale.ts).
 */
import { machineFacts } from './lib/machine.js';
import { withBenchSession } from './lib/bench-session.js';
import { renderReport } from './lib/report.js';
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
  sends: { count: 10_000, warmupCount: 5_000, window: 32, rounds: 5 },
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
  await withBenchSession({ name: 'bench', prefixTag: 'rs-bench', redisUrl: CONFIG.redisUrl, hardLimitMs: CONFIG.hardLimitMs }, async ({ redis, keyPrefix, start }) => {
    const facts = await machineFacts(redis);
    if (ONLY === 'reliable-sends') {
      const [reliableRedis, reliableMemory] = await Promise.all((['reliable-redis', 'reliable-memory'] as const).map((kind) => start(kind)));
      const sends = await runSends({ redis: reliableRedis, memory: reliableMemory }, redis, keyPrefix, CONFIG.sends);
      for (const [store, result] of Object.entries(sends)) {
        const cpu = (runs: { serverCpuMicros: number; clientCpuMicros: number }[]): string =>
          runs.map((run) => `${Math.round(run.serverCpuMicros)}/${Math.round(run.clientCpuMicros)}`).join(' ');
        const rounded = (values: Record<string, number>, digits = 0): string =>
          Object.entries(values).map(([variant, value]) => `${variant} ${value.toFixed(digits)}`).join(', ');
        console.log(`${store}: ratio ${result.ratio.toFixed(2)}, msg/s ${rounded(result.medianMsgsPerSec)}, ` +
          `p50 ms ${rounded(result.medianP50Ms, 1)}, p99 ms ${rounded(result.medianP99Ms, 1)}, ` +
          `server/client CPU µs per message: plain ${cpu(result.runs.plain)}; reliable ${cpu(result.runs.reliable)}`);
      }
      return;
    }
    if (ONLY === 'idle-memory') {
      const idle = await runIdleMemory(start, redis, keyPrefix, { ...CONFIG.idle, openFileLimit: facts.openFileLimit });
      const perConnection = (variant: 'plain' | 'nest' | 'reliable'): number => Math.round(idle[variant].heapBytesPerConnection);
      console.log(`idle heap bytes / connection: plain ${perConnection('plain')}, nest ${perConnection('nest')}, reliable ${perConnection('reliable')}; ` +
        `library share ${perConnection('reliable') - perConnection('nest')}, over plain ${perConnection('reliable') - perConnection('plain')}; ` +
        `highest reading: reliable ${Math.round(idle.reliable.heapPeakBytesPerConnection)}`);
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
  });
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
