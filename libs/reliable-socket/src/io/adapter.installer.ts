import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef, type ApplicationConfig } from '@nestjs/core';
import { NamespaceBinder } from './namespace.binder.js';
import { ReliableIoAdapter } from './reliable-io.adapter.js';

/**
 * Installs {@link ReliableIoAdapter} so importing the module is enough, no `main.ts` change needed.
 *
 * Providers are created before Nest wires gateways, so setting the adapter here wins over Nest's
 * default IoAdapter. Nest exposes no public hook for this; the application config is reached
 * through the container behind ModuleRef, and if that ever fails the app still works when the user
 * installs the adapter explicitly (`app.useWebSocketAdapter(new ReliableIoAdapter(app))`).
 */
@Injectable()
export class AdapterInstaller implements OnModuleInit {
  private readonly config?: ApplicationConfig;

  constructor(moduleRef: ModuleRef, httpAdapterHost: HttpAdapterHost, binder: NamespaceBinder) {
    this.config = (moduleRef as unknown as { container?: { applicationConfig?: ApplicationConfig } }).container?.applicationConfig;
    if (this.config && !this.config.getIoAdapter()) {
      this.config.setIoAdapter(new ReliableIoAdapter(undefined, binder, () => httpAdapterHost.httpAdapter?.getHttpServer()));
    }
  }

  onModuleInit(): void {
    const adapter = this.config?.getIoAdapter();
    if (adapter && !(adapter instanceof ReliableIoAdapter)) {
      throw new Error(
        `ReliableSocketModule: the WebSocket adapter installed with app.useWebSocketAdapter() (${adapter.constructor.name}) ` +
          'is not a ReliableIoAdapter, so gateways would run without auth, replay and acks. Remove that call, or extend ReliableIoAdapter.',
      );
    }
  }
}
