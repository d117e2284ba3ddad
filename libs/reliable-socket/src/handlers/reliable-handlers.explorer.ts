import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { RELIABLE_HANDLER_METADATA, RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { gatewayMessages, gatewayNamespace, isGatewayClass, normaliseNamespace, type GatewayMessage, type NamespaceOption } from '../io/gateway-metadata.js';
import { ReliableExceptionFilter } from './reliable-exception.filter.js';
import type { ReliableHandlerOptions, ResolvedReliableHandlerOptions } from './reliable-handler.options.js';

/** `@Ack()`'s parameter type in Nest's route-argument metadata keys (`WsParamtype.ACK`). */
const ACK_PARAMETER = '13';

/** Per message handler, in Nest's order: its `@Reliable()` options (module defaults merged), or undefined. */
export type GatewayReliability = ReadonlyArray<ResolvedReliableHandlerOptions | undefined>;

interface DiscoveredGateway {
  name: string;
  namespace: NamespaceOption;
  messages: unknown[];
  reliability: GatewayReliability;
}

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((item, i) => item === b[i]);

/**
 * Finds which message handlers are `@Reliable()`, for the adapter's message router: Nest binds a
 * gateway's handlers to each socket without naming the gateway, so its handlers are recognised by
 * their messages and namespace. Misuses fail the application's start, with the fix in the message.
 */
@Injectable()
export class ReliableHandlersExplorer implements OnModuleInit {
  private gateways?: DiscoveredGateway[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
  ) {}

  /** Explores every gateway now, so that a misuse stops the application before it serves anyone. */
  onModuleInit(): void {
    const gateways = this.discovered();
    for (const [index, gateway] of gateways.entries()) {
      const clash = gateways.slice(index + 1).find((other) => other.namespace === gateway.namespace && sameList(other.messages, gateway.messages) &&
        JSON.stringify(other.reliability) !== JSON.stringify(gateway.reliability));
      if (clash) {
        throw new Error(`ReliableSocketModule: ${gateway.name} and ${clash.name} handle the same messages on one namespace but differ in @Reliable(); give them distinct message names`);
      }
    }
  }

  /**
   * The reliability of the gateway on `namespace` whose handlers are `messages` (by messages alone when
   * the namespace is not known here); none found has no reliable handler.
   */
  reliabilityOf(namespace: NamespaceOption, messages: readonly unknown[]): GatewayReliability {
    const same = this.discovered().filter((gateway) => sameList(gateway.messages, messages));
    const wanted = normaliseNamespace(namespace);
    const found = same.find((gateway) => gateway.namespace === wanted) ?? same[0];
    return found?.reliability ?? messages.map(() => undefined);
  }

  private discovered(): DiscoveredGateway[] {
    if (this.gateways) return this.gateways;
    const classes = new Set(this.discovery.getProviders().map((wrapper) => wrapper.metatype).filter(isGatewayClass));
    this.gateways = [...classes].map((gateway) => {
      const messages = gatewayMessages(gateway, this.scanner);
      return {
        name: gateway.name,
        namespace: gatewayNamespace(gateway),
        messages: messages.map(({ message }) => message),
        reliability: messages.map((message) => this.reliabilityOfHandler(gateway, message)),
      };
    });
    return this.gateways;
  }

  private reliabilityOfHandler(gateway: abstract new (...args: never[]) => unknown, { methodName, method }: GatewayMessage): ResolvedReliableHandlerOptions | undefined {
    const own = Reflect.getMetadata(RELIABLE_HANDLER_METADATA, method) as ReliableHandlerOptions | undefined;
    if (!own) return undefined;
    const where = `${gateway.name}.${methodName}`;
    const parameters = Object.keys((Reflect.getMetadata(ROUTE_ARGS_METADATA, gateway, methodName) as object | undefined) ?? {});
    if (parameters.some((key) => key.split(':')[0] === ACK_PARAMETER)) {
      throw new Error(`ReliableSocketModule: ${where} is @Reliable() and takes @Ack(); a reliable handler's return value is its ack, remove @Ack()`);
    }
    // Nest tries a method's filters from the last applied (the top decorator) down; an application filter
    // tried first would take the handler's errors away from the runner.
    const filters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method) as unknown[] | undefined) ?? [];
    if (filters[filters.length - 1] !== ReliableExceptionFilter) {
      throw new Error(`ReliableSocketModule: put @Reliable() above @UseFilters() on ${where}: its errors are the message's recorded outcome`);
    }
    return { ...this.options.reliable, ...own };
  }
}
