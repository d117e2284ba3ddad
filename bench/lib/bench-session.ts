import { RedisStats } from './redis-stats.js';
import { ServerHandle } from './server-handle.js';
import type { ServerKind } from './server-protocol.js';

export interface BenchSessionOptions {
  /** Names the run in its messages (`bench`, `bench:scale`). */
  name: string;
  /** Start of the run's Redis key prefix (`rs-bench`, `rs-scale`). */
  prefixTag: string;
  redisUrl: string;
  /** The whole run is abandoned past this. */
  hardLimitMs: number;
}

/** What a bench entry point works with: the Redis it measures, its key prefix, and a way to start servers. */
export interface BenchSession {
  redis: RedisStats;
  /** Unique per run; every server key and every key the run creates goes under it. */
  keyPrefix: string;
  /** A server process, stopped when the session ends; its keys under `keyPrefix` unless told otherwise. */
  start(kind: ServerKind, serverKeyPrefix?: string, retentionMaxLength?: number): Promise<ServerHandle>;
}

const log = (message: string): void => console.log(`· ${message}`);

/**
 * Runs `body` with a bench session, bounded by `hardLimitMs`, and always cleans up after it: stops every
 * server it started and deletes every Redis key under the run's prefix.
 */
export async function withBenchSession(options: BenchSessionOptions, body: (session: BenchSession) => Promise<void>): Promise<void> {
  const guard = setTimeout(() => {
    console.error(`${options.name}: gave up after ${options.hardLimitMs} ms`);
    process.exit(1); // the server processes leave when their IPC channel closes
  }, options.hardLimitMs);
  guard.unref();

  // Unique per run and free of glob characters, so the cleanup SCAN matches only this run's keys.
  const keyPrefix = `${options.prefixTag}-${process.pid}-${Date.now()}:`;
  const redis = new RedisStats(options.redisUrl);
  try {
    await redis.assertReachable();
  } catch (error) {
    await redis.close();
    throw error;
  }
  const servers: ServerHandle[] = [];
  const start: BenchSession['start'] = async (kind, serverKeyPrefix = keyPrefix, retentionMaxLength) => {
    const server = await ServerHandle.start(kind, { redisUrl: options.redisUrl, keyPrefix: serverKeyPrefix, retentionMaxLength });
    servers.push(server);
    return server;
  };
  try {
    await body({ redis, keyPrefix, start });
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
