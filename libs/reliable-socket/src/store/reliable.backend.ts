import { Logger } from '@nestjs/common';
import type { ServerOptions } from 'socket.io';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { RedisConnections } from '../redis/redis-connections.js';
import { MemoryStreamStore } from './memory-stream.store.js';
import type { StreamStore } from './stream.store.js';
import type { IdempotencyStore } from '../handlers/idempotency.store.js';
import { MemoryIdempotencyStore } from '../handlers/memory-idempotency.store.js';
import type { PresenceStore } from '../presence/presence.store.js';
import { MemoryPresenceStore } from '../presence/memory-presence.store.js';
import type { SessionRegistry } from '../sessions/session.registry.js';
import { MemorySessionRegistry } from '../sessions/memory-session.registry.js';

type SocketIoAdapterFactory = NonNullable<ServerOptions['adapter']>;

/**
 * The storage and fan-out backend chosen by the options: Redis (store + Socket.IO Redis adapter, for a
 * cluster of nodes) or memory (one process).
 */
export class ReliableBackend {
  private constructor(
    readonly store: StreamStore,
    readonly idempotency: IdempotencyStore & { close?(): void | Promise<void> },
    readonly presence: PresenceStore,
    readonly sessions: SessionRegistry,
    readonly socketIoAdapter: SocketIoAdapterFactory | undefined,
    /** Present with Redis: other capabilities build their Redis-backed stores on these connections. */
    readonly connections?: RedisConnections,
  ) {}

  static async create(options: ResolvedReliableSocketOptions): Promise<ReliableBackend> {
    const { retention, idempotencyTtlMs, keyPrefix } = options;
    if (!options.redis) {
      new Logger('ReliableSocket').warn('no "redis" option: using the in-memory store, which is single-node only (messages do not survive a restart)');
      return new ReliableBackend(new MemoryStreamStore({ retention, idempotencyTtlMs }), new MemoryIdempotencyStore({}), new MemoryPresenceStore({}), new MemorySessionRegistry(), undefined);
    }
    const connections = await RedisConnections.open(options.redis, options.redisTimeoutMs);
    const { RedisStreamStore } = await import('./redis-stream.store.js');
    const { RedisIdempotencyStore } = await import('../handlers/redis-idempotency.store.js');
    const { RedisPresenceStore } = await import('../presence/redis-presence.store.js');
    const { RedisSessionRegistry } = await import('../sessions/redis-session.registry.js');
    const store = new RedisStreamStore({ client: connections.command, subscriber: connections.subscriber, keyPrefix, retention, idempotencyTtlMs });
    const idempotency = new RedisIdempotencyStore({ client: connections.direct, keyPrefix });
    const presence = new RedisPresenceStore({ client: connections.command, subscriber: connections.subscriber, keyPrefix });
    const adapter = (await connections.socketIoAdapter(keyPrefix)) as unknown as SocketIoAdapterFactory;
    const sessions = new RedisSessionRegistry({ client: connections.command, keyPrefix });
    return new ReliableBackend(store, idempotency, presence, sessions, adapter, connections);
  }

  async close(): Promise<void> {
    await this.idempotency.close?.();
    await this.presence.close();
    await this.store.close();
    await this.connections?.close();
  }
}
