import { Cluster } from 'ioredis';
import type { ReliableSocketOptions } from '@reliable-socket/nestjs';
import { RedisClusterProcess } from './redis-cluster.js';
import { deleteKeysWithPrefix, escapeGlob, redisUrl } from './redis-prefix.js';

/** What the module's `redis` option accepts. */
export type RedisOption = NonNullable<ReliableSocketOptions['redis']>;

/**
 * The Redis a suite runs on, so one suite body can run on the shared single Redis and on a private
 * Redis Cluster. Its `name` is known before it starts (describe titles are built before any hook runs).
 */
export interface RedisTarget {
  /** For describe titles: `redis` or `redis cluster`. */
  readonly name: string;
  /** A value for the module's `redis` option; each call gives a fresh one. */
  redisOption(): RedisOption;
  /** Deletes every key under `prefix` (bounded in time) and returns how many were deleted. */
  deleteKeys(prefix: string): Promise<number>;
  /** Releases what the target started (nothing for the shared Redis). Idempotent. */
  stop(): Promise<void>;
}

/** The shared test Redis (`redisUrl()`); it outlives the suite, so `stop()` does nothing. */
export const sharedRedis: RedisTarget = {
  name: 'redis',
  redisOption: () => redisUrl(),
  deleteKeys: (prefix) => deleteKeysWithPrefix(redisUrl(), prefix),
  stop: async () => undefined,
};

/**
 * A private 3-master Redis Cluster ({@link RedisClusterProcess}), started by {@link start} (call it in
 * `beforeAll`). Its `redis` option is a lazy ioredis `Cluster`: the library only uses it as a template for
 * its own connections, so the template itself never connects.
 */
export class RedisClusterTarget implements RedisTarget {
  readonly name = 'redis cluster';
  private cluster?: RedisClusterProcess;

  async start(): Promise<void> {
    this.cluster ??= await RedisClusterProcess.start();
  }

  redisOption(): RedisOption {
    return new Cluster(this.started().nodes, { lazyConnect: true });
  }

  async deleteKeys(prefix: string, timeoutMs = 10_000): Promise<number> {
    // No retries and a connect timeout: connect() settles within a few seconds even if the cluster is gone.
    const client = new Cluster(this.started().nodes, { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: { connectTimeout: 5_000 } });
    client.on('error', () => undefined); // surfaced through the failing call instead
    try {
      await client.connect();
      return await deleteClusterKeys(client, prefix, timeoutMs);
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    await cluster?.stop();
  }

  private started(): RedisClusterProcess {
    if (!this.cluster) throw new Error('RedisClusterTarget: call start() first (in beforeAll)');
    return this.cluster;
  }
}

/**
 * Deletes every key under `prefix` on every master of a connected cluster (SCAN only sees the node it runs
 * on). Keys are unlinked one per command: a multi-key UNLINK across slots would be refused with CROSSSLOT.
 */
export async function deleteClusterKeys(client: Cluster, prefix: string, timeoutMs = 10_000): Promise<number> {
  if (!prefix) throw new Error('deleteClusterKeys: refusing an empty prefix (it would match every key)');
  const masters = client.nodes('master');
  if (masters.length === 0) throw new Error('deleteClusterKeys: the cluster client has no master connection (not ready?)');
  const deadline = Date.now() + timeoutMs;
  let deleted = 0;
  await Promise.all(masters.map(async (node) => {
    let cursor = '0';
    do {
      if (Date.now() > deadline) throw new Error(`deleteClusterKeys(${prefix}): still scanning after ${timeoutMs}ms`);
      const [next, keys] = await node.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      if (keys.length > 0) {
        const results = await keys.reduce((pipeline, key) => pipeline.unlink(key), node.pipeline()).exec();
        for (const [error, count] of results ?? []) {
          if (error) throw error;
          deleted += count as number;
        }
      }
      cursor = next;
    } while (cursor !== '0');
  }));
  return deleted;
}
