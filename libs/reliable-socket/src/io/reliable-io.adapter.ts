import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import { NamespaceBinder } from './namespace.binder.js';

/**
 * Socket.IO adapter for Nest that binds every gateway namespace to reliable-socket.
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
    super.bindClientConnect(server, callback);
  }

  private requireBinder(): NamespaceBinder {
    if (!this.binder) throw new Error('ReliableIoAdapter: construct it with the Nest application (new ReliableIoAdapter(app)) after importing ReliableSocketModule');
    return this.binder;
  }
}
