import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { handshakeAuthMiddleware } from '../auth/handshake-auth.middleware.js';
import { ClientRequestsHandler } from '../delivery/client-requests.handler.js';
import { ConnectionSyncHandler } from '../delivery/connection-sync.handler.js';
import { ReliableBackend } from '../store/reliable.backend.js';
import { NamespaceRegistry } from './namespace.registry.js';
import { PresenceTracker } from '../presence/presence.tracker.js';
import { CredentialLifetimeHandler } from '../auth/credential-lifetime.handler.js';
import { identityRoom } from '../reliable-socket.constants.js';
import type { AuthenticatedUser } from '../interfaces/reliable-socket-options.interface.js';
import { SessionUniqueness } from '../sessions/session-uniqueness.service.js';
import { UniqueNamespaceExplorer } from '../sessions/unique-namespace.explorer.js';
import type { NamespaceOption } from './gateway-metadata.js';
import { ReliableMessageDispatcher, type ReliableRoutes } from '../handlers/reliable-message.dispatcher.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { GracefulDrain } from '../drain/graceful.drain.js';
import { addSocketListeners, type SocketListeners } from './socket-listeners.js';
import { DisconnectHooks, type DisconnectHook } from './disconnect.hooks.js';
import { SendBatchListener } from '../handlers/send-batch.listener.js';

function isServer(target: Server | Namespace): target is Server {
  return 'engine' in target && 'sockets' in target;
}

/**
 * Connects the library to the Socket.IO servers and namespaces Nest creates for gateways: server
 * options (heartbeat, cluster adapter) and, per namespace, the drain gate, the auth middleware, the protocol
 * handlers and the socket's metrics.
 */
@Injectable()
export class NamespaceBinder {
  private readonly logger = new Logger('ReliableSocket');
  private readonly bound = new WeakSet<Namespace>();
  private readonly declaredAs = new WeakMap<Server | Namespace, NamespaceOption>();
  /**
   * The protocol listeners of every socket, and one `disconnect` listener dispatching to each service:
   * shared functions (the socket is their `this`), so an idle connection holds no closure of ours.
   */
  private readonly listeners: SocketListeners;
  /** Nest's gateway disconnect callbacks, run by the same shared `disconnect` listener after the library's own work. */
  private readonly disconnectHooks = new DisconnectHooks();

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly backend: ReliableBackend,
    private readonly registry: NamespaceRegistry,
    private readonly sync: ConnectionSyncHandler,
    private readonly requests: ClientRequestsHandler,
    private readonly presence: PresenceTracker,
    private readonly credentials: CredentialLifetimeHandler,
    private readonly uniqueness: SessionUniqueness,
    private readonly uniqueGateways: UniqueNamespaceExplorer,
    private readonly metrics: ReliableMetrics,
    private readonly drain: GracefulDrain,
    private readonly reliableMessages: ReliableMessageDispatcher,
    sendBatches: SendBatchListener,
  ) {
    // An alias: the listener's own `this` is the socket.
    const binder = this;
    this.listeners = {
      ...requests.listeners,
      ...credentials.listeners,
      ...sendBatches.listeners,
      disconnect(reason: string) {
        binder.disconnected(this);
        binder.disconnectHooks.run(this, reason);
      },
    };
  }

  /** Remembers which gateway `namespace` option produced a namespace (regexes and functions have no usable name). */
  noteNamespaceOption(created: Server | Namespace, namespace: NamespaceOption): void {
    this.declaredAs.set(created, namespace);
  }

  /** How the `@Reliable()` handlers of the gateways on `target` (a gateway's namespace or server) are served. */
  reliableRoutes(target: Server | Namespace): ReliableRoutes {
    return this.reliableMessages.routesFor(this.declaredAs.get(target));
  }

  /** Options for a new Socket.IO server; a gateway's own explicit options win. */
  serverOptions(gatewayOptions: Partial<ServerOptions> = {}): Partial<ServerOptions> {
    const { pingIntervalMs, pingTimeoutMs } = this.options.heartbeat;
    const adapter = this.backend.socketIoAdapter;
    return { pingInterval: pingIntervalMs, pingTimeout: pingTimeoutMs, ...(adapter ? { adapter } : {}), ...gatewayOptions };
  }

  bind(target: Server | Namespace): void {
    const namespace = isServer(target) ? target.sockets : target;
    if (this.bound.has(namespace)) return;
    this.bound.add(namespace);
    this.registry.register(namespace);
    namespace.use(this.drain.gate);
    namespace.use(handshakeAuthMiddleware(this.options, this.logger));
    const unique = this.uniqueGateways.optionsFor(this.declaredAs.get(target));
    if (unique) namespace.use(this.uniqueness.middleware(unique.onConflict));
    namespace.on('connection', (socket: Socket) => {
      // Dynamic (regex/function) namespaces create their children on demand; make them addressable.
      if (socket.nsp !== namespace) this.registry.register(socket.nsp);
      socket.join(identityRoom((socket.data.user as AuthenticatedUser).id));
      addSocketListeners(socket, this.listeners);
      this.metrics.observeSocket(socket);
      this.credentials.attach(socket);
      this.presence.track(socket);
      void this.start(socket, unique !== undefined);
    });
  }

  /**
   * Runs `hook` when `socket` disconnects, from the shared listener every socket of a bound namespace has
   * (the adapter binds a namespace before Nest subscribes its gateway to it, so the socket has it).
   */
  onDisconnect(socket: Socket, hook: DisconnectHook): void {
    this.disconnectHooks.add(socket, hook);
  }

  private disconnected(socket: Socket): void {
    this.credentials.detach(socket);
    this.presence.untrack(socket);
    this.uniqueness.release(socket);
  }

  private async start(socket: Socket, unique: boolean): Promise<void> {
    if (unique) await this.uniqueness.onConnection(socket).catch((error: Error) => this.sync.abandon(socket, error));
    if (socket.connected) await this.sync.sync(socket);
  }
}
