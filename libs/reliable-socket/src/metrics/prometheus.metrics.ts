import { performance } from 'node:perf_hooks';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Gauge, Histogram, Registry } from 'prom-client';
import type { Socket } from 'socket.io';
import { WireEvent, type BatchEnvelope, type Cursor, type LiveBatchEnvelope } from '@reliable-socket/client/protocol';
import type { CampaignProgress } from '../campaigns/campaign.types.js';
import type { StoredBatch } from '../delivery/append.batcher.js';
import type { NamespaceRegistry } from '../io/namespace.registry.js';
import { identityRoom } from '../reliable-socket.constants.js';
import type { StreamKey, StreamStore } from '../store/stream.store.js';
import { CampaignGauge } from './campaign-gauge.js';
import { gapSignalledBy } from './gap-reason.js';
import { METRIC_NAMES } from './metric-names.js';
import { PerNamespace } from './per-namespace.js';
import { RecentEmits } from './recent-emits.js';
import { ReliableMetrics } from './reliable.metrics.js';
import { TalliedCounter, type Tally } from './tallied-counter.js';

type PromClient = typeof import('prom-client');

/** Distinct `namespace` label values before the rest are counted together (dynamic namespaces). */
const MAX_NAMESPACE_LABELS = 64;
/** Campaigns whose recipient counts stay exported. */
const MAX_CAMPAIGNS = 100;
/** Bounds of the per-stream append times kept for ack latency (at most streams × perStream entries). */
const RECENT_EMITS = { streams: 4_096, perStream: 64 };
const REPLAY_BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000];
const ACK_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const IDENTITY_ROOM_PREFIX = identityRoom('');

export interface PrometheusMetricsDependencies {
  client: PromClient;
  /** Where the metrics are registered (removed again at shutdown). */
  registry: Registry;
  /** Prepended to every name. */
  prefix: string;
  namespaces: NamespaceRegistry;
  /** Its cluster-wide `onAck` drives `messages_acked_total` and `ack_latency_seconds`. */
  store: StreamStore;
}

/** Counts kept for one `namespace` label. */
interface NamespaceSeries {
  label: string;
  emitted: Tally;
  delivered: Tally;
  acked: Tally;
  replayed: Tally;
  gapsTrimmed: Tally;
  gapsEpoch: Tally;
  sessionsReplaced: Tally;
  dedupeHits: Tally;
  /** `onAnyOutgoing` listener shared by the namespace's sockets: one closure per namespace, not per socket. */
  countLive: (event: string, payload: unknown) => void;
}

const streamId = (key: StreamKey): string => `${key.namespace}\u0000${key.stream}`;

/**
 * Local connections and distinct users of one namespace on this node (each socket is in its user's
 * identity room); undefined for the parent of dynamic namespaces, whose sockets are in its children.
 */
function localPopulation(registry: NamespaceRegistry, name: string): { connections: number; users: number } | undefined {
  const namespace = registry.get(name);
  if ('children' in namespace) return undefined;
  let users = 0;
  for (const room of namespace.adapter?.rooms?.keys() ?? []) if (room.startsWith(IDENTITY_ROOM_PREFIX)) users += 1;
  return { connections: namespace.sockets.size, users };
}

/**
 * {@link ReliableMetrics} on prom-client. Counters on hot paths are plain additions collected at scrape
 * time; the connection gauges are computed at scrape time from the bound namespaces.
 */
export class PrometheusMetrics extends ReliableMetrics implements OnApplicationShutdown {
  private readonly series: PerNamespace<NamespaceSeries>;
  private readonly recentEmits: RecentEmits;
  private readonly replayBatchSize: Histogram;
  private readonly ackLatency: Histogram;
  private readonly campaigns: CampaignGauge;
  private readonly names: string[];
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: PrometheusMetricsDependencies) {
    super();
    const { client, registry, prefix, namespaces, store } = deps;
    this.names = Object.values(METRIC_NAMES).map((name) => prefix + name);
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new TalliedCounter<L>(client, { name: prefix + name, help, labelNames, registry });
    const emitted = counter(METRIC_NAMES.messagesEmitted, 'Messages made durable by ReliableEmitter on this node (duplicates by idempotency key excluded).', ['namespace']);
    const delivered = counter(METRIC_NAMES.messagesDelivered, 'Live messages written to sockets of this node (rs:msg, each message of rs:msgs).', ['namespace']);
    const acked = counter(METRIC_NAMES.messagesAcked, 'Messages emitted on this node that a device of the recipient acknowledged (first ack, any node).', ['namespace']);
    const replayed = counter(METRIC_NAMES.messagesReplayed, 'Messages sent from history to sockets of this node (reconnect replay and rs:fetch).', ['namespace']);
    const gaps = counter(METRIC_NAMES.gapsSignalled, 'History pages sent by this node that make the device report a gap.', ['namespace', 'reason']);
    const replaced = counter(METRIC_NAMES.sessionsReplaced, 'Sessions evicted by a newer session of the same user (@UniquePerNamespace replace).', ['namespace']);
    const dedupe = counter(METRIC_NAMES.dedupeHits, 'Duplicates of @Reliable() messages answered from the recorded reply.', ['namespace']);

    this.series = new PerNamespace<NamespaceSeries>(MAX_NAMESPACE_LABELS, (label) => {
      const namespace = { namespace: label };
      const live = delivered.tally(namespace);
      return {
        label,
        emitted: emitted.tally(namespace),
        delivered: live,
        acked: acked.tally(namespace),
        replayed: replayed.tally(namespace),
        gapsTrimmed: gaps.tally({ namespace: label, reason: 'trimmed' }),
        gapsEpoch: gaps.tally({ namespace: label, reason: 'epoch' }),
        sessionsReplaced: replaced.tally(namespace),
        dedupeHits: dedupe.tally(namespace),
        countLive: (event, payload) => {
          if (event === WireEvent.Message) live.count += 1;
          else if (event === WireEvent.Messages) live.count += (payload as LiveBatchEnvelope).messages.length;
        },
      };
    });

    const series = this.series;
    const population = (help: string, name: string, pick: 'connections' | 'users'): Gauge<'namespace'> =>
      new client.Gauge({
        name: prefix + name,
        help,
        labelNames: ['namespace'],
        registers: [registry],
        collect(this: Gauge<'namespace'>) {
          this.reset();
          for (const namespace of namespaces.names()) {
            const counts = localPopulation(namespaces, namespace);
            if (counts) this.inc({ namespace: series.of(namespace).label }, counts[pick]);
          }
        },
      });
    population('Live sockets on this node.', METRIC_NAMES.connections, 'connections');
    population('Distinct users with a live socket on this node.', METRIC_NAMES.users, 'users');

    this.replayBatchSize = new client.Histogram({
      name: prefix + METRIC_NAMES.replayBatchSize,
      help: 'Messages per history page sent (reconnect replay and rs:fetch), empty pages excluded.',
      buckets: REPLAY_BATCH_BUCKETS,
      registers: [registry],
    });
    this.ackLatency = new client.Histogram({
      name: prefix + METRIC_NAMES.ackLatency,
      help: 'Time from a message\'s append on this node to the first acknowledgement covering it.',
      buckets: ACK_LATENCY_BUCKETS,
      registers: [registry],
    });
    this.campaigns = new CampaignGauge(
      new client.Gauge({ name: prefix + METRIC_NAMES.campaignRecipients, help: 'Recipients of a campaign by state.', labelNames: ['campaign', 'state'], registers: [registry] }),
      MAX_CAMPAIGNS,
    );

    this.recentEmits = new RecentEmits(RECENT_EMITS, (namespace, elapsedMs) => {
      this.series.of(namespace).acked.count += 1;
      this.ackLatency.observe(elapsedMs / 1_000);
    });
    this.unsubscribe = store.onAck((key, offset) => this.recentEmits.acknowledged(streamId(key), offset, performance.now()));
  }

  override observeSocket(socket: Socket): void {
    socket.onAnyOutgoing(this.series.of(socket.nsp.name).countLive);
  }

  override messagesStored(key: StreamKey, batch: StoredBatch): void {
    const id = streamId(key);
    const now = performance.now();
    let fresh = 0;
    for (let i = 0; i < batch.length; i += 1) {
      const { result } = batch[i];
      if (result.duplicate) continue;
      fresh += 1;
      this.recentEmits.record(id, key.namespace, result.epoch, result.offset, now);
    }
    this.series.of(key.namespace).emitted.count += fresh;
  }

  override historySent(namespace: string, batch: BatchEnvelope, cursor: Cursor | undefined): void {
    const series = this.series.of(namespace);
    if (batch.messages.length > 0) {
      series.replayed.count += batch.messages.length;
      this.replayBatchSize.observe(batch.messages.length);
    }
    const gap = gapSignalledBy(cursor, batch);
    if (gap === 'trimmed') series.gapsTrimmed.count += 1;
    else if (gap === 'epoch') series.gapsEpoch.count += 1;
  }

  override sessionReplaced(namespace: string): void {
    this.series.of(namespace).sessionsReplaced.count += 1;
  }

  override dedupeHit(namespace: string): void {
    this.series.of(namespace).dedupeHits.count += 1;
  }

  override reportCampaign(progress: CampaignProgress): void {
    this.campaigns.report(progress);
  }

  /** Stops listening to acks and unregisters the metrics, so the application can be created again in this process. */
  onApplicationShutdown(): void {
    this.unsubscribe();
    for (const name of this.names) this.deps.registry.removeSingleMetric(name);
  }
}

/**
 * Builds the metrics for the module: {@link PrometheusMetrics} when `prom-client` can be loaded, else the
 * recording-nothing {@link ReliableMetrics}. The registry is `metrics.registry` or prom-client's global one;
 * when it already holds these names (a second application in one process), this instance keeps its metrics
 * in a private registry rather than failing to start.
 */
export async function createReliableMetrics(
  options: { registry?: unknown; prefix: string },
  namespaces: NamespaceRegistry,
  store: StreamStore,
): Promise<ReliableMetrics> {
  const logger = new Logger('ReliableSocket:Metrics');
  let client: PromClient;
  try {
    client = await import('prom-client');
  } catch (error) {
    logger.debug(`prom-client is not available, metrics are off: ${(error as Error).message}`);
    return new ReliableMetrics();
  }
  let registry = (options.registry as Registry | undefined) ?? client.register;
  const probe = options.prefix + METRIC_NAMES.connections;
  if (registry.getSingleMetric(probe)) {
    logger.warn(`the registry already holds ${probe} (another ReliableSocketModule in this process?): this one's metrics stay private; give each its own metrics.registry or metrics.prefix`);
    registry = new client.Registry();
  }
  return new PrometheusMetrics({ client, registry, prefix: options.prefix, namespaces, store });
}
