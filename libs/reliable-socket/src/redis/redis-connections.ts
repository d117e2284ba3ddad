import { Logger } from '@nestjs/common';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { gateCommands } from './redis-availability.gate.js';
import type { RedisClient } from './redis-client.js';
import { coalesceWritesPerTurn } from './turn-writes.coalescer.js';

/** What the `redis` option accepts. A supplied instance is only a template: it is duplicated, never used or quit. */
export type RedisSource = string | RedisOptions | Redis | Cluster;

const isCluster = (source: RedisSource): source is Cluster => (source as Cluster).isCluster === true;
const isRedisInstance = (source: RedisSource): source is Redis =>
  typeof (source as Redis).duplicate === 'function' && typeof (source as Redis).sendCommand === 'function';

async function loadOptionalPeer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new Error(`ReliableSocketModule: the "redis" option needs the "${name}" package (npm i ${name})`, { cause: error });
  }
}

/**
 * Per-connection settings of each role (for a cluster they apply to every node connection). `cluster`
 * overrides the template Cluster's own options, which `duplicate()` copies: a template made with
 * `lazyConnect: true` (so that it never connects itself) must not make the library's connections lazy.
 */
interface Role {
  connection: Partial<RedisOptions>;
  cluster?: Partial<ClusterOptions>;
}

/**
 * Commands fail instead of queueing while Redis is unreachable (the gate waits, bounded, for it to come
 * back), and are never sent twice: a command in flight when the connection dies may have run already.
 *
 * No auto-pipelining on a Cluster: ioredis groups auto-pipelined commands by the slot of their first
 * argument, which for the batch scripts (`rsStreamAppend`, `rsIdemClaim`… whose first argument is the key
 * count) is not a key, so concurrent calls for users on different masters land in one pipeline that
 * ioredis rejects whole ("All keys in the pipeline should belong to the same slots allocation group").
 */
const commandRole = (timeoutMs: number, enableAutoPipelining = true): Role => ({
  connection: {
    enableOfflineQueue: false, autoResendUnfulfilledCommands: false, commandTimeout: timeoutMs, socketTimeout: timeoutMs,
    enableAutoPipelining, lazyConnect: false,
  },
  cluster: { enableOfflineQueue: false, enableAutoPipelining: false, lazyConnect: false },
});
/**
 * Subscriptions and the adapter's fan-out keep ioredis' queueing: they resubscribe and resend on their
 * own. A socket that gets no answer to a command (the liveness PING included) within `timeoutMs` is
 * dropped and reconnected, so a silently dead link does not go unnoticed for the OS keepalive's hours.
 */
const pubSubRole = (timeoutMs: number, enableAutoPipelining = false): Role => ({
  connection: {
    enableOfflineQueue: true, autoResendUnfulfilledCommands: true, commandTimeout: undefined, socketTimeout: timeoutMs,
    enableAutoPipelining, lazyConnect: false,
  },
  cluster: { enableOfflineQueue: true, enableAutoPipelining, lazyConnect: false },
});

/** How often the subscription connections are PINGed (a subscribed connection sends nothing by itself). */
const LIVENESS_PING_MS = 5_000;

/**
 * The Redis connections the library uses: two for commands, gated so no call outlives `timeoutMs`
 * (`command`, auto-pipelined, so that the many independent calls of a turn share round trips, and
 * `direct`, for callers that batch their own calls per turn), one for the store's subscriptions, and a
 * pub/sub pair for the Socket.IO Redis adapter. All are created (and closed) here.
 */
export class RedisConnections {
  private constructor(
    /** Every call completes or fails with `StoreUnavailableError` within the configured timeout. */
    readonly command: RedisClient,
    /**
     * Like `command`, without auto-pipelining: a call is written in the turn it is made (the turn's writes
     * still leave together, see {@link coalesceWritesPerTurn}), not one turn later through a pipeline
     * object. For calls already batched per turn whose reply someone waits for (the idempotency store).
     * On a Cluster, where `command` does not auto-pipeline either, it is `command`.
     */
    readonly direct: RedisClient,
    readonly subscriber: RedisClient,
    readonly adapterPub: RedisClient,
    readonly adapterSub: RedisClient,
    private readonly owned: RedisClient[],
    private readonly liveness: NodeJS.Timeout,
  ) {}

  /**
   * @param source a URL, ioredis options, or an ioredis `Redis` / `Cluster` instance used as a template
   * @param timeoutMs bound of every command call (`redisTimeoutMs`)
   */
  static async open(source: RedisSource, timeoutMs: number): Promise<RedisConnections> {
    const { Redis: RedisClientClass } = await loadOptionalPeer('ioredis', () => import('ioredis'));
    let open: (role: Role) => RedisClient;
    if (isCluster(source)) {
      open = ({ connection, cluster }) => source.duplicate(undefined, { ...cluster, redisOptions: { ...source.options.redisOptions, ...connection } });
    } else {
      const base: RedisOptions = isRedisInstance(source) ? source.options : typeof source === 'string' ? parseUrl(RedisClientClass, source) : source;
      open = ({ connection }) => new RedisClientClass({ ...base, ...connection });
    }
    const rawCommand = reportOutages(open(commandRole(timeoutMs)), 'command');
    const rawDirect = isCluster(source) ? undefined : reportOutages(open(commandRole(timeoutMs, false)) as Redis, 'direct command');
    if (rawDirect) coalesceWritesPerTurn(rawDirect);
    const subscriber = reportOutages(open(pubSubRole(timeoutMs)), 'subscriber');
    const adapterPub = handleUnawaitedPublishes(reportOutages(open(pubSubRole(timeoutMs, true)), 'adapter publisher'));
    const adapterSub = reportOutages(open(pubSubRole(timeoutMs)), 'adapter subscriber');
    const liveness = setInterval(() => {
      for (const connection of [subscriber, adapterSub]) if (connection.status === 'ready') connection.ping().catch(() => undefined);
    }, LIVENESS_PING_MS).unref();
    const command = gateCommands(rawCommand, timeoutMs);
    const direct = rawDirect ? gateCommands(rawDirect, timeoutMs) : command;
    const owned = [rawCommand, ...(rawDirect ? [rawDirect] : []), subscriber, adapterPub, adapterSub];
    return new RedisConnections(command, direct, subscriber, adapterPub, adapterSub, owned, liveness);
  }

  /** Builds the `@socket.io/redis-adapter` factory for these connections. */
  async socketIoAdapter(keyPrefix: string): Promise<ReturnType<typeof import('@socket.io/redis-adapter').createAdapter>> {
    const { createAdapter } = await loadOptionalPeer('@socket.io/redis-adapter', () => import('@socket.io/redis-adapter'));
    return createAdapter(this.adapterPub, this.adapterSub, { key: `${keyPrefix}socket.io` });
  }

  async close(): Promise<void> {
    clearInterval(this.liveness);
    await Promise.all(this.owned.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}

/**
 * ioredis emits `error` on every failed reconnect attempt (and prints it when nobody listens): one warning
 * when a connection fails, one line when it is back, instead of a stack trace every retry.
 */
function reportOutages<T extends RedisClient>(connection: T, role: string): T {
  const logger = new Logger('ReliableSocket');
  let failing = false;
  connection.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn(`Redis ${role} connection failed (${error.message}); retrying`);
  });
  connection.on('ready', () => {
    if (!failing) return;
    failing = false;
    logger.log(`Redis ${role} connection is back`);
  });
  return connection;
}

/**
 * The Socket.IO Redis adapter does not await its PUBLISH calls. One still queued when its connection ends
 * (a node closing during or just after a Redis outage) is rejected with "Connection is closed.", and with
 * nobody listening that is an unhandled rejection, which ends a Node process. Every publish of this
 * connection therefore gets a handler; the promise returned to the caller is unchanged.
 */
function handleUnawaitedPublishes<T extends RedisClient>(connection: T): T {
  const publish = connection.publish.bind(connection) as (...args: unknown[]) => Promise<number>;
  const logger = new Logger('ReliableSocket');
  const handled = (...args: unknown[]): Promise<number> => {
    const published = publish(...args);
    published.catch((error: Error) => logger.debug(`an adapter publish failed: ${error.message}`));
    return published;
  };
  (connection as unknown as { publish: typeof handled }).publish = handled;
  return connection;
}

/** ioredis parses a URL only in its constructor: a lazy, never-connected instance yields the options. */
function parseUrl(RedisClientClass: typeof Redis, url: string): RedisOptions {
  const parsed = new RedisClientClass(url, { lazyConnect: true });
  const { options } = parsed;
  parsed.disconnect();
  return options;
}
