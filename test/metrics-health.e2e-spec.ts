/**
 * Metrics, health and drain observability: the counters move as messages are emitted, delivered,
 * acknowledged, replayed, deduplicated, and as gaps and session replacements happen (in-process nodes on
 * the shared Redis, each with its own registry); the sample app serves `/metrics` and `/health`, and its
 * health goes down while its Redis is unreachable (a private redis-server that the test stops).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { CampaignService, ReliableEmitter, ReliableHealthIndicator } from '@reliable-socket/nestjs';
import { AppProcess } from './support/app-process.js';
import { killAllChildProcesses } from './support/process-reaper.js';
import { parsePrometheusText, sampleValue } from './support/prometheus-text.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { RedisServerProcess } from './support/redis-server.js';
import { waitFor } from './support/wait.js';
import { chatClient, Inbox, nodeEnv, reliableEmit, TEST_CLIENT_OPTIONS } from './fixtures/chat.fixtures.js';
import { startObservedNode, type ObservedNode } from './fixtures/observed-node.js';

const prefix = testKeyPrefix('metrics-health');
const M = 'reliable_socket_';

afterAll(() => killAllChildProcesses());

/** Current value of a series of an in-process node (summed over matching label sets, 0 when absent). */
async function metric(node: ObservedNode, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleValue(parsePrometheusText(await node.registry.metrics()), M + name, labels);
}

/** A plain Socket.IO client that acknowledges replay pages and records the rest. */
async function rawSocket(url: string, auth: Record<string, unknown>): Promise<{ socket: Socket; controls: Array<{ type: string }>; synced: Promise<void> }> {
  const socket = io(url, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
  const controls: Array<{ type: string }> = [];
  socket.on('rs:batch', (_batch: unknown, ack?: (reply: unknown) => void) => ack?.({ ok: true }));
  socket.on('rs:control', (control: { type: string }) => controls.push(control));
  const synced = new Promise<void>((resolve) => socket.once('rs:synced', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, controls, synced };
}

describe('metrics of in-process nodes (redis)', () => {
  let nodeA: ObservedNode;
  let nodeB: ObservedNode;
  const sockets: Socket[] = [];
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([startObservedNode(redisUrl(), prefix), startObservedNode(redisUrl(), prefix)]);
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all([nodeA?.app.close(), nodeB?.app.close()]);
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  function bobClient(url: string, storage: MemoryStorage): ReliableClient {
    const client = new ReliableClient(`${url}/probe`, { ...TEST_CLIENT_OPTIONS, storage, storageKey: 'probe:bob', auth: { user: 'bob' } });
    clients.push(client);
    return client;
  }

  it('counts emitted, delivered, acknowledged, replayed and deduplicated messages on the node that did each', async () => {
    const storage = new MemoryStorage();
    const bob = bobClient(nodeB.url, storage);
    const live = new Inbox<{ text: string }>(bob, 'note');
    await waitFor(() => bob.state === 'connected', { message: 'bob connected to B' });
    const alice = await rawSocket(`${nodeA.url}/probe`, { user: 'alice' });
    sockets.push(alice.socket);

    await reliableEmit(alice.socket, 'notify', { to: 'bob', text: 'n1' }, { id: 'metrics-n1' });
    await reliableEmit(alice.socket, 'notify', { to: 'bob', text: 'n1' }, { id: 'metrics-n1' }); // a retry: answered from the record
    await live.waitForCount(1, 10_000);
    await waitFor(async () => (await metric(nodeA, 'messages_acked_total')) === 1, { message: 'A saw bob\'s ack of its message' });
    expect(await metric(nodeA, 'messages_emitted_total', { namespace: '/probe' })).toBe(1);
    expect(await metric(nodeA, 'dedupe_hits_total', { namespace: '/probe' })).toBe(1);
    expect(await metric(nodeA, 'ack_latency_seconds_count')).toBe(1);
    expect(await metric(nodeB, 'messages_delivered_total', { namespace: '/probe' })).toBe(1);
    expect(await metric(nodeA, 'messages_delivered_total')).toBe(0);
    expect(await metric(nodeB, 'messages_emitted_total')).toBe(0);
    expect(await metric(nodeB, 'messages_acked_total')).toBe(0);
    expect(await metric(nodeB, 'connections', { namespace: '/probe' })).toBe(1);

    // Bob goes away, misses three messages, and comes back on A: they are replayed there.
    await bob.close();
    for (const text of ['n2', 'n3', 'n4']) await reliableEmit(alice.socket, 'notify', { to: 'bob', text });
    const back = bobClient(nodeA.url, storage);
    const replayed = new Inbox<{ text: string }>(back, 'note');
    await replayed.waitForCount(3, 10_000);
    expect(replayed.texts).toEqual(['n2', 'n3', 'n4']);
    expect(await metric(nodeA, 'messages_replayed_total', { namespace: '/probe' })).toBe(3);
    expect(await metric(nodeA, 'replay_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(await metric(nodeA, 'replay_batch_size_sum')).toBe(3);
    await waitFor(async () => (await metric(nodeA, 'messages_acked_total')) === 4, { message: 'the replayed messages acknowledged' });
    expect(await metric(nodeA, 'messages_emitted_total')).toBe(4);
    expect(await metric(nodeA, 'connections', { namespace: '/probe' })).toBe(2);
    expect(await metric(nodeA, 'users', { namespace: '/probe' })).toBe(2);
  });

  it('counts replaced sessions on the node that evicted them', async () => {
    const first = await rawSocket(`${nodeA.url}/solo`, { user: 'carol' });
    sockets.push(first.socket);
    const second = await rawSocket(`${nodeA.url}/solo`, { user: 'carol' });
    sockets.push(second.socket);
    await waitFor(() => first.controls.some((control) => control.type === 'replaced'), { message: 'the first session replaced' });
    expect(await metric(nodeA, 'sessions_replaced_total', { namespace: '/solo' })).toBe(1);
  });

  it('reports campaign progress as campaign_recipients gauges', async () => {
    const client = new ReliableClient(`${nodeB.url}/probe`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user: 'gauge-user' } });
    clients.push(client);
    const pushes: unknown[] = [];
    client.on('push', (data) => void pushes.push(data));
    await waitFor(() => client.connected, { timeoutMs: 5_000, message: 'gauge-user never connected' });
    const campaigns = nodeA.app.get(CampaignService);
    const { id } = await campaigns.start({ namespace: '/probe', target: { users: ['gauge-user'] }, event: 'push', data: { v: 1 }, expiresAt: Date.now() + 60_000 });
    await waitFor(async () => (await campaigns.progress(id)).delivered === 1, { timeoutMs: 10_000, message: 'campaign never delivered' });
    expect(pushes).toEqual([{ v: 1 }]);
    expect(await metric(nodeA, 'campaign_recipients', { campaign: id, state: 'delivered' })).toBe(1);
    expect(await metric(nodeA, 'campaign_recipients', { campaign: id, state: 'pending' })).toBe(0);
  });

  it('unregisters its metrics when the application closes, so it can be created again in this process', async () => {
    const node = await startObservedNode(redisUrl(), prefix);
    expect(node.registry.getSingleMetric(`${M}connections`)).toBeDefined();
    await node.app.close();
    expect(await node.registry.getMetricsAsJSON()).toEqual([]);
  });
});

describe('gap metrics (redis, short retention)', () => {
  const gapsPrefix = testKeyPrefix('metrics-gaps');
  let node: ObservedNode;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    node = await startObservedNode(redisUrl(), gapsPrefix, { retention: { maxLength: 3 } });
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await node?.app.close();
    await deleteKeysWithPrefix(redisUrl(), gapsPrefix);
  });

  it('counts a replay that skips past the device\'s cursor as `trimmed` and one from another epoch as `epoch`', async () => {
    const emitter = node.app.get(ReliableEmitter).of('/probe');
    let epoch = '';
    for (let i = 1; i <= 6; i += 1) epoch = (await emitter.toUser('dave').emit('note', { text: `d${i}` })).epoch;

    const behind = await rawSocket(`${node.url}/probe`, { user: 'dave', rs: { v: 1, cursors: { 'user:dave': { epoch, offset: 1 } } } });
    sockets.push(behind.socket);
    await behind.synced;
    expect(await metric(node, 'gaps_signalled_total', { reason: 'trimmed' })).toBe(1);
    expect(await metric(node, 'gaps_signalled_total', { reason: 'epoch' })).toBe(0);

    const stale = await rawSocket(`${node.url}/probe`, { user: 'dave', rs: { v: 1, cursors: { 'user:dave': { epoch: 'lost-epoch', offset: 5 } } } });
    sockets.push(stale.socket);
    await stale.synced;
    expect(await metric(node, 'gaps_signalled_total', { namespace: '/probe', reason: 'epoch' })).toBe(1);
    expect(await metric(node, 'gaps_signalled_total', { reason: 'trimmed' })).toBe(1);
  });
});

describe('the sample app\'s /metrics and /health', () => {
  let redis: RedisServerProcess;
  let app: AppProcess;
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    app = await AppProcess.start({ env: nodeEnv({ REDIS_URL: redis.url, DRAIN_MS: '500' }) });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await app?.stop();
    await redis?.stop();
  });

  async function get(path: string): Promise<{ status: number; type: string; body: string }> {
    const response = await fetch(`${app.url}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  }

  it('serves the library\'s metrics in the Prometheus text format', async () => {
    const receiver = await chatClient(app.url, app.url, 'erin');
    const sender = await chatClient(app.url, app.url, 'frank');
    clients.push(receiver, sender);
    const inbox = new Inbox<{ text: string }>(receiver, 'message');
    await sender.send('send', { to: 'erin', text: 'hello' }, { timeoutMs: 10_000 });
    await inbox.waitForCount(1, 10_000);

    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.type).toContain('text/plain');
    const samples = parsePrometheusText(response.body);
    expect(sampleValue(samples, `${M}messages_emitted_total`, { namespace: '/chat' })).toBe(1);
    expect(sampleValue(samples, `${M}connections`, { namespace: '/chat' })).toBe(2);
    expect(sampleValue(samples, `${M}users`, { namespace: '/chat' })).toBe(2);
    for (const name of ['messages_delivered_total', 'messages_acked_total', 'messages_replayed_total', 'gaps_signalled_total', 'sessions_replaced_total', 'dedupe_hits_total']) {
      expect(response.body).toContain(`# TYPE ${M}${name} counter`);
    }
    expect(response.body).toContain(`# TYPE ${M}ack_latency_seconds histogram`);
    expect(response.body).toContain(`# TYPE ${M}replay_batch_size histogram`);
  });

  it('reports healthy, then down while its Redis is unreachable, then healthy again', async () => {
    const healthy = await get('/health');
    expect(healthy.status).toBe(200);
    expect(JSON.parse(healthy.body)).toMatchObject({ status: 'ok', details: { 'reliable-socket': { status: 'up', store: 'up', adapterPub: 'up', adapterSub: 'up' } } });

    await redis.stop();
    let down: { status: number; body: string } | undefined;
    await waitFor(async () => (down = await get('/health')).status === 503, { timeoutMs: 10_000, message: '/health turning 503' });
    const report = JSON.parse(down!.body) as { status: string; error: Record<string, { status: string; store: string }> };
    expect(report.status).toBe('error');
    expect(report.error['reliable-socket'].status).toBe('down');
    expect(report.error['reliable-socket'].store).toMatch(/^down: /);

    await redis.restart();
    await waitFor(async () => (await get('/health')).status === 200, { timeoutMs: 15_000, message: '/health back to 200 once Redis answers again' });
  });
});

describe('ReliableHealthIndicator in-process', () => {
  it('is down while the node\'s Redis is unreachable and up again once it answers', async () => {
    const redis = await RedisServerProcess.start();
    const node = await startObservedNode(redis.url, testKeyPrefix('metrics-health-down'));
    try {
      const health = node.app.get(ReliableHealthIndicator);
      expect(await health.isHealthy()).toMatchObject({ 'reliable-socket': { status: 'up', store: 'up', adapterPub: 'up', adapterSub: 'up' } });
      await redis.stop();
      const result = await health.isHealthy('realtime', 500);
      expect(result.realtime.status).toBe('down');
      expect(Object.values(result.realtime).filter((value) => typeof value === 'string' && value.startsWith('down: ')).length).toBeGreaterThanOrEqual(1);
      await redis.restart();
      // Also what lets the node close cleanly: its adapter unsubscribes on close, over connections that must be back.
      await waitFor(async () => (await health.isHealthy('realtime', 500)).realtime.status === 'up', { timeoutMs: 15_000, message: 'healthy again once Redis answers' });
    } finally {
      if (!redis.running) await redis.restart();
      await node.app.close();
      await redis.stop();
    }
  });
});
