import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import * as client from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { MemoryStreamStore } from '../store/memory-stream.store.js';
import type { AppendResult, StreamKey } from '../store/stream.store.js';
import type { StoredBatch } from '../delivery/append.batcher.js';
import { METRIC_NAMES } from './metric-names.js';
import { createReliableMetrics, PrometheusMetrics } from './prometheus.metrics.js';
import { ReliableMetrics } from './reliable.metrics.js';

const PREFIX = 'rs_test_';

/** Value of one series, 0 when the series does not exist (yet). */
async function valueOf(registry: client.Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === PREFIX + name);
  if (!metric) throw new Error(`no metric ${PREFIX + name}`);
  const matches = metric.values.filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return matches.reduce((sum, value) => sum + value.value, 0);
}

/** `_count` of a histogram. */
async function countOf(registry: client.Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === PREFIX + name);
  return metric?.values.find((value) => (value as { metricName?: string }).metricName === `${PREFIX}${name}_count`)?.value ?? 0;
}

function fakeNamespace(name: string, sockets: Array<{ id: string; user: string }>): Namespace {
  const rooms = new Map<string, Set<string>>();
  for (const { id, user } of sockets) {
    const room = `rs:id:${user}`;
    rooms.set(room, (rooms.get(room) ?? new Set()).add(id));
  }
  return { name, sockets: new Map(sockets.map(({ id }) => [id, {}])), adapter: { rooms } } as unknown as Namespace;
}

function stored(key: StreamKey, results: Array<Partial<AppendResult> & { offset: number }>): StoredBatch {
  return results.map((result) => ({ input: { event: 'message', data: {} }, result: { epoch: 'e1', duplicate: false, ...result } }));
}

describe('PrometheusMetrics', () => {
  let registry: client.Registry;
  let namespaces: NamespaceRegistry;
  let store: MemoryStreamStore;
  let metrics: PrometheusMetrics;
  const alice: StreamKey = { namespace: '/chat', stream: 'user:alice' };

  beforeEach(() => {
    registry = new client.Registry();
    namespaces = new NamespaceRegistry();
    store = new MemoryStreamStore({ retention: { maxLength: 1_000, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000 });
    metrics = new PrometheusMetrics({ client, registry, prefix: PREFIX, namespaces, store });
  });

  afterEach(async () => {
    metrics.onApplicationShutdown();
    await store.close();
  });

  it('reports live sockets and distinct users per namespace at scrape time', async () => {
    namespaces.register(fakeNamespace('/chat', [{ id: 'a1', user: 'alice' }, { id: 'a2', user: 'alice' }, { id: 'b1', user: 'bob' }]));
    namespaces.register(fakeNamespace('/game', []));
    namespaces.register(Object.assign(fakeNamespace('/_0', []), { children: new Set() })); // parent of dynamic namespaces
    expect(await valueOf(registry, METRIC_NAMES.connections, { namespace: '/chat' })).toBe(3);
    expect(await valueOf(registry, METRIC_NAMES.users, { namespace: '/chat' })).toBe(2);
    expect(await valueOf(registry, METRIC_NAMES.connections, { namespace: '/game' })).toBe(0);
    expect((await registry.getSingleMetric(PREFIX + METRIC_NAMES.connections)!.get()).values.map((value) => value.labels.namespace)).toEqual(['/chat', '/game']);
  });

  it('counts stored messages, skipping duplicates', async () => {
    metrics.messagesStored(alice, stored(alice, [{ offset: 1 }, { offset: 2 }, { offset: 2, duplicate: true }]));
    expect(await valueOf(registry, METRIC_NAMES.messagesEmitted, { namespace: '/chat' })).toBe(2);
    metrics.messagesStored(alice, stored(alice, [{ offset: 3 }]));
    expect(await valueOf(registry, METRIC_NAMES.messagesEmitted, { namespace: '/chat' })).toBe(3);
  });

  it('measures acks of messages emitted here, once per message, from the store\'s ack notifications', async () => {
    await store.appendBatch(alice, [{ event: 'm', data: 1 }, { event: 'm', data: 2 }, { event: 'm', data: 3 }]);
    metrics.messagesStored(alice, stored(alice, [{ offset: 1 }, { offset: 2 }, { offset: 3 }]));
    await store.ack(alice, 2);
    expect(await valueOf(registry, METRIC_NAMES.messagesAcked, { namespace: '/chat' })).toBe(2);
    expect(await countOf(registry, METRIC_NAMES.ackLatency)).toBe(2);
    await store.ack(alice, 3);
    expect(await valueOf(registry, METRIC_NAMES.messagesAcked, { namespace: '/chat' })).toBe(3);
    expect(await countOf(registry, METRIC_NAMES.ackLatency)).toBe(3);
  });

  it('counts live messages written to an observed socket, per message rather than per packet', async () => {
    let listener: ((event: string, payload: unknown) => void) | undefined;
    const socket = { nsp: { name: '/chat' }, onAnyOutgoing: (fn: typeof listener) => (listener = fn) } as unknown as Socket;
    metrics.observeSocket(socket);
    listener!('rs:msg', { offset: 1 });
    listener!('rs:msgs', { messages: [{}, {}, {}] });
    listener!('rs:batch', { messages: [{}, {}] });
    listener!('rs:synced', { streams: [] });
    expect(await valueOf(registry, METRIC_NAMES.messagesDelivered, { namespace: '/chat' })).toBe(4);
  });

  it('counts replayed messages, page sizes and the gaps pages make devices report', async () => {
    const cursor = { epoch: 'e1', offset: 5 };
    metrics.historySent('/chat', { stream: 'user:alice', epoch: 'e1', after: 5, messages: [{ offset: 6, event: 'm', data: 1, ts: 0 }] }, cursor);
    metrics.historySent('/chat', { stream: 'user:alice', epoch: 'e1', after: 9, messages: [] }, cursor);
    metrics.historySent('/chat', { stream: 'user:alice', epoch: 'e2', after: 0, messages: [] }, cursor);
    metrics.historySent('/chat', { stream: 'user:bob', epoch: 'e1', after: 0, messages: [] }, undefined);
    expect(await valueOf(registry, METRIC_NAMES.messagesReplayed, { namespace: '/chat' })).toBe(1);
    expect(await countOf(registry, METRIC_NAMES.replayBatchSize)).toBe(1);
    expect(await valueOf(registry, METRIC_NAMES.gapsSignalled, { reason: 'trimmed' })).toBe(1);
    expect(await valueOf(registry, METRIC_NAMES.gapsSignalled, { reason: 'epoch' })).toBe(1);
  });

  it('counts replaced sessions and dedupe hits per namespace', async () => {
    metrics.sessionReplaced('/game');
    metrics.dedupeHit('/chat');
    metrics.dedupeHit('/chat');
    expect(await valueOf(registry, METRIC_NAMES.sessionsReplaced, { namespace: '/game' })).toBe(1);
    expect(await valueOf(registry, METRIC_NAMES.dedupeHits, { namespace: '/chat' })).toBe(2);
  });

  it('exports the latest recipient counts of each campaign, for the 100 most recently reported', async () => {
    metrics.reportCampaign({ id: 'c1', state: 'running', total: 10, delivered: 2, pending: 8, expired: 0 });
    metrics.reportCampaign({ id: 'c1', state: 'running', total: 10, delivered: 7, pending: 2, expired: 1 });
    expect(await valueOf(registry, METRIC_NAMES.campaignRecipients, { campaign: 'c1', state: 'delivered' })).toBe(7);
    expect(await valueOf(registry, METRIC_NAMES.campaignRecipients, { campaign: 'c1', state: 'pending' })).toBe(2);
    expect(await valueOf(registry, METRIC_NAMES.campaignRecipients, { campaign: 'c1', state: 'expired' })).toBe(1);
    for (let i = 2; i <= 101; i += 1) metrics.reportCampaign({ id: `c${i}`, state: 'completed', total: 1, delivered: 1, pending: 0, expired: 0 });
    expect(await valueOf(registry, METRIC_NAMES.campaignRecipients, { campaign: 'c1' })).toBe(0);
    expect(await valueOf(registry, METRIC_NAMES.campaignRecipients, { campaign: 'c101', state: 'delivered' })).toBe(1);
  });

  it('unregisters its metrics at shutdown', async () => {
    metrics.onApplicationShutdown();
    expect(await registry.getMetricsAsJSON()).toEqual([]);
  });
});

describe('createReliableMetrics', () => {
  const store = new MemoryStreamStore({ retention: { maxLength: 10, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000 });
  afterAll(() => store.close());

  it('registers in the given registry under the prefix', async () => {
    const registry = new client.Registry();
    const metrics = (await createReliableMetrics({ registry, prefix: PREFIX }, new NamespaceRegistry(), store)) as PrometheusMetrics;
    expect(metrics).toBeInstanceOf(PrometheusMetrics);
    expect(registry.getSingleMetric(`${PREFIX}${METRIC_NAMES.dedupeHits}`)).toBeDefined();
    metrics.onApplicationShutdown();
  });

  it('keeps a second instance\'s metrics private instead of failing on a name clash', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const registry = new client.Registry();
    const first = (await createReliableMetrics({ registry, prefix: PREFIX }, new NamespaceRegistry(), store)) as PrometheusMetrics;
    const second = (await createReliableMetrics({ registry, prefix: PREFIX }, new NamespaceRegistry(), store)) as PrometheusMetrics;
    second.dedupeHit('/chat');
    expect(await valueOf(registry, METRIC_NAMES.dedupeHits)).toBe(0);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('already holds'));
    second.onApplicationShutdown();
    expect(registry.getSingleMetric(`${PREFIX}${METRIC_NAMES.dedupeHits}`)).toBeDefined();
    first.onApplicationShutdown();
    warn.mockRestore();
  });

  it('the base class records nothing and never throws', () => {
    const metrics = new ReliableMetrics();
    expect(() => {
      metrics.dedupeHit('/chat');
      metrics.reportCampaign({ id: 'c', state: 'running', total: 0, delivered: 0, pending: 0, expired: 0 });
    }).not.toThrow();
  });
});
