import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CredentialLifetimeHandler } from './auth/credential-lifetime.handler.js';
import { SessionUniqueness } from './sessions/session-uniqueness.service.js';
import { SessionRegistry } from './sessions/session.registry.js';
import { UniqueNamespaceExplorer } from './sessions/unique-namespace.explorer.js';
import { CAMPAIGNS_EXPORTS, CAMPAIGNS_PROVIDERS } from './campaigns/campaigns.providers.js';
import { DRAIN_EXPORTS, DRAIN_PROVIDERS } from './drain/drain.providers.js';
import { HEALTH_EXPORTS, HEALTH_PROVIDERS } from './health/health.providers.js';
import { METRICS_EXPORTS, METRICS_PROVIDERS } from './metrics/metrics.providers.js';
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
import { OutageRecoveryHandler } from './delivery/outage-recovery.handler.js';
import { StreamStore } from './store/stream.store.js';
import { ExactlyOnceRunner } from './handlers/exactly-once.runner.js';
import { IdempotencyStore } from './handlers/idempotency.store.js';
import { ReliableExceptionFilter } from './handlers/reliable-exception.filter.js';
import { ReliableHandlersExplorer } from './handlers/reliable-handlers.explorer.js';
import { ReliableMessageDispatcher } from './handlers/reliable-message.dispatcher.js';
import { SendBatchListener } from './handlers/send-batch.listener.js';
import { PresenceService } from './presence/presence.service.js';
import { PresenceStore } from './presence/presence.store.js';
import { PresenceTracker } from './presence/presence.tracker.js';

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
  imports: [DiscoveryModule],
  providers: [
    { provide: RESOLVED_OPTIONS, useFactory: (options: ReliableSocketOptions) => resolveOptions(options), inject: [RELIABLE_SOCKET_OPTIONS] },
    { provide: ReliableBackend, useFactory: ReliableBackend.create, inject: [RESOLVED_OPTIONS] },
    { provide: StreamStore, useFactory: (backend: ReliableBackend) => backend.store, inject: [ReliableBackend] },
    { provide: IdempotencyStore, useFactory: (backend: ReliableBackend) => backend.idempotency, inject: [ReliableBackend] },
    { provide: PresenceStore, useFactory: (backend: ReliableBackend) => backend.presence, inject: [ReliableBackend] },
    PresenceTracker,
    PresenceService,
    { provide: SessionRegistry, useFactory: (backend: ReliableBackend) => backend.sessions, inject: [ReliableBackend] },
    SessionUniqueness,
    UniqueNamespaceExplorer,
    CredentialLifetimeHandler,
    ExactlyOnceRunner,
    ReliableHandlersExplorer,
    ReliableMessageDispatcher,
    SendBatchListener,
    ReliableExceptionFilter,
    NamespaceRegistry,
    StreamReplayer,
    ConnectionSyncHandler,
    OutageRecoveryHandler,
    ClientRequestsHandler,
    NamespaceBinder,
    AdapterInstaller,
    AckTracker,
    ReliableEmitter,
    ...METRICS_PROVIDERS,
    ...HEALTH_PROVIDERS,
    ...DRAIN_PROVIDERS,
    ...CAMPAIGNS_PROVIDERS,
  ],
  exports: [ReliableEmitter, PresenceService, StreamStore, IdempotencyStore, ExactlyOnceRunner, NamespaceRegistry, NamespaceBinder, RESOLVED_OPTIONS,
    ...METRICS_EXPORTS, ...HEALTH_EXPORTS, ...DRAIN_EXPORTS, ...CAMPAIGNS_EXPORTS],
})
export class ReliableSocketModule extends ConfigurableReliableSocketModule implements OnApplicationShutdown {
  constructor(@Inject(ReliableBackend) private readonly backend: ReliableBackend) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}
