import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { UNIQUE_NAMESPACE_METADATA } from '../reliable-socket.constants.js';
import type { UniquePerNamespaceOptions } from './unique-per-namespace.decorator.js';

/**
 * Where `@WebSocketGateway()` keeps its options. Nest exports the constant only from an internal entry
 * point it asks not to depend on, so the literal lives here once; a test pins it against Nest's value.
 */
export const GATEWAY_OPTIONS_METADATA = 'websockets:gateway_options';

export type NamespaceOption = string | RegExp | ((...args: unknown[]) => unknown) | undefined;

const normalise = (namespace: NamespaceOption): NamespaceOption =>
  typeof namespace === 'string' ? (namespace.startsWith('/') ? namespace : `/${namespace}`) : (namespace ?? '/');

/** Finds the `@UniquePerNamespace()` options of the gateways declared with a given namespace option. */
@Injectable()
export class UniqueNamespaceExplorer {
  private gateways?: Array<{ namespace: NamespaceOption; options: Required<UniquePerNamespaceOptions> }>;

  constructor(private readonly discovery: DiscoveryService) {}

  /** Gateway namespace options are compared as Nest uses them: strings by value, regexes and functions by identity. */
  optionsFor(namespace: NamespaceOption): Required<UniquePerNamespaceOptions> | undefined {
    const wanted = normalise(namespace);
    return this.uniqueGateways().find((gateway) => gateway.namespace === wanted)?.options;
  }

  private uniqueGateways(): Array<{ namespace: NamespaceOption; options: Required<UniquePerNamespaceOptions> }> {
    this.gateways ??= this.discovery
      .getProviders()
      .map((wrapper) => wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined)
      .filter((metatype) => typeof metatype === 'function' && Reflect.getMetadata(UNIQUE_NAMESPACE_METADATA, metatype))
      .map((metatype) => ({
        namespace: normalise((Reflect.getMetadata(GATEWAY_OPTIONS_METADATA, metatype!) as { namespace?: NamespaceOption } | undefined)?.namespace),
        options: Reflect.getMetadata(UNIQUE_NAMESPACE_METADATA, metatype!) as Required<UniquePerNamespaceOptions>,
      }));
    return this.gateways;
  }
}
