import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import type { DisconnectHook } from './disconnect.hooks.js';
import { GatewayMessageRouter } from './gateway-message.router.js';
import { HandlerReplySender } from './handler-reply.sender.js';
import { NamespaceBinder } from './namespace.binder.js';

/**
 * Socket.IO adapter for Nest that binds every gateway namespace to reliable-socket. It also serves gateway
 * messages and disconnects like Nest's `IoAdapter`, minus the Observables that adapter keeps per socket
 * (several KB per connection per handler).
 *
 * `ReliableSocketModule` installs it by itself. Install it explicitly only when you need your own
 * subclass (keep calling `super`):
 *
 * @example
 * class MyAdapter extends ReliableIoAdapter { createIOServer(port: number, options?: ServerOptions) { ... super.createIOServer(port, options) } }
 * app.useWebSocketAdapter(new MyAdapter(app));
 */
export class ReliableIoAdapter extends IoAdapter {
  private binder?: NamespaceBinder;
  private readonly replies = new HandlerReplySender(this.logger);
  /** The router of the gateway whose connection handler is running: Nest binds that gateway's handlers from inside it. */
  private connecting?: GatewayMessageRouter;

  /**
   * @param appOrHttpServer the Nest application (or its HTTP server)
   * @param binder resolved from the application when omitted
   * @param lateHttpServer for installation before the HTTP server exists
   */
  constructor(
    appOrHttpServer?: unknown,
    binder?: NamespaceBinder,
    private readonly lateHttpServer?: () => unknown,
  ) {
    super(appOrHttpServer as never);
    this.binder = binder ?? (appOrHttpServer as INestApplicationContext | undefined)?.get?.(NamespaceBinder);
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    // Installed before Nest creates the HTTP server, so it is looked up at first use.
    (this as unknown as { httpServer: unknown }).httpServer ??= this.lateHttpServer?.();
    return super.createIOServer(port, this.requireBinder().serverOptions(options) as ServerOptions);
  }

  create(port: number, options?: ServerOptions & { namespace?: string; server?: Server }): Server | Namespace {
    const created = super.create(port, options);
    if (options?.namespace !== undefined) this.requireBinder().noteNamespaceOption(created, options.namespace);
    return created;
  }

  /**
   * Nest calls this once per gateway with the gateway's own namespace (or the root server), before the
   * app listens: the one place that sees exactly the namespaces gateways use, in time for the first client.
   */
  bindClientConnect(server: Server | Namespace, callback: (...args: unknown[]) => void): void {
    this.requireBinder().bind(server);
    const router = this.newRouter(server);
    super.bindClientConnect(server, (...args: unknown[]) => {
      const outer = this.connecting;
      this.connecting = router;
      try {
        callback(...args);
      } finally {
        this.connecting = outer;
      }
    });
  }

  /**
   * Same semantics as IoAdapter's (see {@link HandlerReplySender}), but an idle socket holds no Observable:
   * the messages go through listeners shared by the gateway's sockets. `transform` is not used: it is
   * Nest's "await the result, flatten a Promise or Observable", which the reply sender does itself.
   */
  bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], _transform?: unknown): void {
    if (this.connecting?.attach(socket, handlers)) return;
    // Called outside a gateway's connection handler (or with another handler list): a router of its own.
    this.newRouter(socket.nsp).attach(socket, handlers);
  }

  /** Nest's `handleDisconnect` plumbing, run by the socket's shared `disconnect` listener instead of a `once()` of its own. */
  bindClientDisconnect(client: Socket, callback: DisconnectHook): void {
    this.requireBinder().onDisconnect(client, callback);
  }

  private newRouter(server: Server | Namespace): GatewayMessageRouter {
    return new GatewayMessageRouter(this.replies, (payload) => this.mapPayload(payload), this.requireBinder().reliableRoutes(server));
  }

  private requireBinder(): NamespaceBinder {
    if (!this.binder) throw new Error('ReliableIoAdapter: construct it with the Nest application (new ReliableIoAdapter(app)) after importing ReliableSocketModule');
    return this.binder;
  }
}
