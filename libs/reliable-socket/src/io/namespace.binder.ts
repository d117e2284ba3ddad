import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { handshakeAuthMiddleware } from '../auth/handshake-auth.middleware.js';
import { ClientRequestsHandler } from '../delivery/client-requests.handler.js';
import { ConnectionSyncHandler } from '../delivery/connection-sync.handler.js';
import { ReliableBackend } from '../store/reliable.backend.js';
import { NamespaceRegistry } from './namespace.registry.js';

function isServer(target: Server | Namespace): target is Server {
  return 'engine' in target && 'sockets' in target;
}

/**
 * Connects the library to the Socket.IO servers and namespaces Nest creates for gateways: server
 * options (heartbeat, cluster adapter) and, per namespace, the auth middleware plus the protocol handlers.
 */
@Injectable()
export class NamespaceBinder {
  private readonly logger = new Logger('ReliableSocket');
  private readonly bound = new WeakSet<Namespace>();

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly backend: ReliableBackend,
    private readonly registry: NamespaceRegistry,
    private readonly sync: ConnectionSyncHandler,
    private readonly requests: ClientRequestsHandler,
  ) {}

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
    namespace.use(handshakeAuthMiddleware(this.options, this.logger));
    namespace.on('connection', (socket: Socket) => {
      // Dynamic (regex/function) namespaces create their children on demand; make them addressable.
      if (socket.nsp !== namespace) this.registry.register(socket.nsp);
      this.requests.attach(socket);
      void this.sync.sync(socket);
    });
  }
}
