import { Logger } from '@nestjs/common';
import type { ServerOptions } from 'socket.io';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { RedisConnections } from '../redis/redis-connections.js';
import { MemoryStreamStore } from './memory-stream.store.js';
import type { StreamStore } from './stream.store.js';
import type { IdempotencyStore } from '../handlers/idempotency.store.js';
import { MemoryIdempotencyStore } from '../handlers/memory-idempotency.store.js';

type SocketIoAdapterFactory = NonNullable<ServerOptions['adapter']>;

/**
 * The storage and fan-out backend chosen by the options: Redis (store + Socket.IO Redis adapter, for a
 * cluster of nodes) or memory (one process).
 */
export class ReliableBackend {
  private constructor(
    readonly store: StreamStore,
    readonly idempotency: IdempotencyStore & { close?(): void | Promise<void> },
    readonly socketIoAdapter: SocketIoAdapterFactory | undefined,
    private readonly connections?: RedisConnections,
  ) {}

  static async create(options: ResolvedReliableSocketOptions): Promise<ReliableBackend> {
    const { retention, idempotencyTtlMs, keyPrefix } = options;
    if (!options.redis) {
      new Logger('ReliableSocket').warn('no "redis" option: using the in-memory store, which is single-node only (messages do not survive a restart)');
      return new ReliableBackend(new MemoryStreamStore({ retention, idempotencyTtlMs }), new MemoryIdempotencyStore({}), undefined);
    }
    const connections = await RedisConnections.open(options.redis);
    const { RedisStreamStore } = await import('./redis-stream.store.js');
    const { RedisIdempotencyStore } = await import('../handlers/redis-idempotency.store.js');
    const store = new RedisStreamStore({ client: connections.command, subscriber: connections.subscriber, keyPrefix, retention, idempotencyTtlMs });
    const idempotency = new RedisIdempotencyStore({ client: connections.command, keyPrefix });
    const adapter = (await connections.socketIoAdapter(keyPrefix)) as unknown as SocketIoAdapterFactory;
    return new ReliableBackend(store, idempotency, adapter, connections);
  }

  async close(): Promise<void> {
    await this.idempotency.close?.();
    await this.store.close();
    await this.connections?.close();
  }
}
