import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { UNIQUE_NAMESPACE_METADATA } from '../reliable-socket.constants.js';
import { gatewayNamespace, normaliseNamespace, type NamespaceOption } from '../io/gateway-metadata.js';
import type { UniquePerNamespaceOptions } from './unique-per-namespace.decorator.js';

export type { NamespaceOption } from '../io/gateway-metadata.js';

/** Finds the `@UniquePerNamespace()` options of the gateways declared with a given namespace option. */
@Injectable()
export class UniqueNamespaceExplorer {
  private gateways?: Array<{ namespace: NamespaceOption; options: Required<UniquePerNamespaceOptions> }>;

  constructor(private readonly discovery: DiscoveryService) {}

  /** Gateway namespace options are compared as Nest uses them: strings by value, regexes and functions by identity. */
  optionsFor(namespace: NamespaceOption): Required<UniquePerNamespaceOptions> | undefined {
    const wanted = normaliseNamespace(namespace);
    return this.uniqueGateways().find((gateway) => gateway.namespace === wanted)?.options;
  }

  private uniqueGateways(): Array<{ namespace: NamespaceOption; options: Required<UniquePerNamespaceOptions> }> {
    this.gateways ??= this.discovery
      .getProviders()
      .map((wrapper) => wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined)
      .filter((metatype) => typeof metatype === 'function' && Reflect.getMetadata(UNIQUE_NAMESPACE_METADATA, metatype))
      .map((metatype) => ({
        namespace: gatewayNamespace(metatype!),
        options: Reflect.getMetadata(UNIQUE_NAMESPACE_METADATA, metatype!) as Required<UniquePerNamespaceOptions>,
      }));
    return this.gateways;
  }
}
