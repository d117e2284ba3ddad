import type { Redis, RedisOptions } from 'ioredis';

type RedisSource = string | RedisOptions | Redis;

function isRedisInstance(source: RedisSource): source is Redis {
  return typeof (source as Redis).duplicate === 'function' && typeof (source as Redis).sendCommand === 'function';
}

async function loadOptionalPeer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new Error(`ReliableSocketModule: the "redis" option needs the "${name}" package (npm i ${name})`, { cause: error });
  }
}

/**
 * The Redis connections the library uses: one for commands (auto-pipelined, so concurrent appends
 * share round trips), one for the store's subscriptions, and a pub/sub pair for the Socket.IO Redis adapter.
 * Connections created here are closed here; an instance supplied by the application is never quit.
 */
export class RedisConnections {
  private constructor(
    readonly command: Redis,
    readonly subscriber: Redis,
    readonly adapterPub: Redis,
    readonly adapterSub: Redis,
    private readonly owned: Redis[],
  ) {}

  static async open(source: RedisSource): Promise<RedisConnections> {
    const { Redis: RedisClient } = await loadOptionalPeer('ioredis', () => import('ioredis'));
    const supplied = isRedisInstance(source);
    const command = supplied
      ? source
      : typeof source === 'string'
        ? new RedisClient(source, { enableAutoPipelining: true })
        : new RedisClient({ enableAutoPipelining: true, ...source });
    const subscriber = command.duplicate();
    const adapterPub = command.duplicate({ enableAutoPipelining: true });
    const adapterSub = command.duplicate();
    const owned = supplied ? [subscriber, adapterPub, adapterSub] : [command, subscriber, adapterPub, adapterSub];
    return new RedisConnections(command, subscriber, adapterPub, adapterSub, owned);
  }

  /** Builds the `@socket.io/redis-adapter` factory for these connections. */
  async socketIoAdapter(keyPrefix: string): Promise<ReturnType<typeof import('@socket.io/redis-adapter').createAdapter>> {
    const { createAdapter } = await loadOptionalPeer('@socket.io/redis-adapter', () => import('@socket.io/redis-adapter'));
    return createAdapter(this.adapterPub, this.adapterSub, { key: `${keyPrefix}socket.io` });
  }

  async close(): Promise<void> {
    await Promise.all(this.owned.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}
