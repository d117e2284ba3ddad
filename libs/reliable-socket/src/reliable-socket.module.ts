import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { resolveOptions } from './config/options.resolver.js';
import { RESOLVED_OPTIONS } from './reliable-socket.constants.js';
import type { ReliableSocketOptions } from './interfaces/reliable-socket-options.interface.js';
import { ConfigurableReliableSocketModule, RELIABLE_SOCKET_OPTIONS } from './reliable-socket.module-definition.js';
import { AckTracker } from './delivery/ack.tracker.js';
import { ClientRequestsHandler } from './delivery/client-requests.handler.js';
import { ConnectionSyncHandler } from './delivery/connection-sync.handler.js';
import { ReliableEmitter } from './delivery/reliable.emitter.js';
import { StreamReplayer } from './delivery/stream.replayer.js';
import { AdapterInstaller } from './io/adapter.installer.js';
import { NamespaceBinder } from './io/namespace.binder.js';
import { NamespaceRegistry } from './io/namespace.registry.js';
import { ReliableBackend } from './store/reliable.backend.js';
import { StreamStore } from './store/stream.store.js';

/**
 * Guaranteed delivery for every Socket.IO gateway of the application: handshake auth, durable
 * per-user and per-room streams, replay on reconnect, acks. Global; import it once.
 *
 * @example
 * @Module({
 *   imports: [ReliableSocketModule.forRoot({ redis: process.env.REDIS_URL, authenticate: (hs) => verify(hs.auth.token) })],
 *   providers: [ChatGateway],
 * })
 * export class AppModule {}
 */
@Module({
  providers: [
    { provide: RESOLVED_OPTIONS, useFactory: (options: ReliableSocketOptions) => resolveOptions(options), inject: [RELIABLE_SOCKET_OPTIONS] },
    { provide: ReliableBackend, useFactory: ReliableBackend.create, inject: [RESOLVED_OPTIONS] },
    { provide: StreamStore, useFactory: (backend: ReliableBackend) => backend.store, inject: [ReliableBackend] },
    NamespaceRegistry,
    StreamReplayer,
    ConnectionSyncHandler,
    ClientRequestsHandler,
    NamespaceBinder,
    AdapterInstaller,
    AckTracker,
    ReliableEmitter,
  ],
  exports: [ReliableEmitter, StreamStore, NamespaceRegistry, NamespaceBinder, RESOLVED_OPTIONS],
})
export class ReliableSocketModule extends ConfigurableReliableSocketModule implements OnApplicationShutdown {
  constructor(@Inject(ReliableBackend) private readonly backend: ReliableBackend) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}
