import type { MetadataScanner } from '@nestjs/core';

/*
 * Where Nest's `@WebSocketGateway()` and `@SubscribeMessage()` keep their metadata. Nest exports these
 * constants only from an internal entry point it asks not to depend on, so the literals live here once;
 * a test pins them against Nest's values.
 */
export const GATEWAY_METADATA = 'websockets:is_gateway';
export const GATEWAY_OPTIONS_METADATA = 'websockets:gateway_options';
export const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
export const MESSAGE_METADATA = 'message';

/** A gateway's `namespace` option as declared: a name, a pattern or a matcher function (absent: `/`). */
export type NamespaceOption = string | RegExp | ((...args: unknown[]) => unknown) | undefined;

type GatewayClass = abstract new (...args: never[]) => unknown;

/** One `@SubscribeMessage()` method of a gateway class. */
export interface GatewayMessage {
  methodName: string;
  /** The method itself, which carries its decorators' metadata. */
  method: object;
  message: unknown;
}

/** As Nest compares namespace options: strings by value (with their leading slash), patterns and functions by identity. */
export function normaliseNamespace(namespace: NamespaceOption): NamespaceOption {
  return typeof namespace === 'string' ? (namespace.startsWith('/') ? namespace : `/${namespace}`) : (namespace ?? '/');
}

export function isGatewayClass(metatype: unknown): metatype is GatewayClass {
  return typeof metatype === 'function' && Reflect.getMetadata(GATEWAY_METADATA, metatype) !== undefined;
}

/** The namespace option of a gateway class, normalised. */
export function gatewayNamespace(gateway: GatewayClass): NamespaceOption {
  return normaliseNamespace((Reflect.getMetadata(GATEWAY_OPTIONS_METADATA, gateway) as { namespace?: NamespaceOption } | undefined)?.namespace);
}

/**
 * The message handlers of a gateway class in the order Nest binds them to sockets (its
 * `GatewayMetadataExplorer` walks the same `MetadataScanner` method list).
 */
export function gatewayMessages(gateway: GatewayClass, scanner: MetadataScanner): GatewayMessage[] {
  const prototype = gateway.prototype as Record<string, object>;
  return scanner
    .getAllMethodNames(prototype)
    .filter((methodName) => Reflect.getMetadata(MESSAGE_MAPPING_METADATA, prototype[methodName]) !== undefined)
    .map((methodName) => ({ methodName, method: prototype[methodName], message: Reflect.getMetadata(MESSAGE_METADATA, prototype[methodName]) }));
}
