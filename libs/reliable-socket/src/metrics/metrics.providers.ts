import type { Provider } from '@nestjs/common';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import { StreamStore } from '../store/stream.store.js';
import { createReliableMetrics } from './prometheus.metrics.js';
import { ReliableMetrics } from './reliable.metrics.js';

/** Providers of the metrics capability, registered by ReliableSocketModule. */
export const METRICS_PROVIDERS: Provider[] = [
  {
    provide: ReliableMetrics,
    useFactory: (options: ResolvedReliableSocketOptions, namespaces: NamespaceRegistry, store: StreamStore) => createReliableMetrics(options.metrics, namespaces, store),
    inject: [RESOLVED_OPTIONS, NamespaceRegistry, StreamStore],
  },
];

/** What ReliableSocketModule exports of the metrics capability. */
export const METRICS_EXPORTS: Array<string | symbol | Function> = [ReliableMetrics];
