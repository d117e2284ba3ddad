/**
 * Push campaigns on three in-process nodes sharing the real Redis, with real SDK clients: 200 devices of
 * which 50 lose their network mid-push (blackholed proxies) and come back after it, and 20 connect only
 * later, each handling the campaign exactly once with exact progress; a campaign outliving the node that
 * started it; the rate limit across nodes; expiry; pause / resume / cancel; preview over `socket.data`.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { firstValueFrom, lastValueFrom, toArray, timeout } from 'rxjs';
import type { ReliableClient } from '@reliable-socket/client';
import { StreamName } from '@reliable-socket/client/protocol';
import { CampaignNotFoundError, CampaignStateError, InvalidCampaignError, type CampaignProgress, type CampaignSpec } from '@reliable-socket/nestjs';
import { CampaignKeys } from '../libs/reliable-socket/src/campaigns/redis/campaign-keys.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { sleep, waitFor } from './support/wait.js';
import { FLEET, fleetDevice, HandlerRuns, startCampaignNode, type CampaignNode } from './fixtures/campaign.fixtures.js';

const pad = (n: number): string => String(n).padStart(3, '0');
const inAMinute = (): number => Date.now() + 60_000;

describe('push campaigns on three in-process nodes (redis)', () => {
  const prefix = testKeyPrefix('campaigns-e2e');
  const keys = new CampaignKeys(prefix);
  let redis: Redis;
  let nodes: CampaignNode[] = [];
  let clients: ReliableClient[] = [];
  let proxies: TcpProxy[] = [];

  beforeAll(async () => {
    redis = new Redis(redisUrl());
    nodes = await Promise.all([0, 1, 2].map(() => startCampaignNode(redisUrl(), prefix)));
  });

  afterEach(async () => {
    // Proxies first: a server closing a WebSocket over a blackholed connection would wait for its close frame.
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await Promise.all(clients.map((client) => client.close()));
    proxies = [];
    clients = [];
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.app.close()));
    await deleteKeysWithPrefix(redisUrl(), prefix);
    redis?.disconnect();
  });

  /** Opens a device and keeps it for cleanup. */
  const device = (...args: Parameters<typeof fleetDevice>): ReliableClient => {
    const client = fleetDevice(...args);
    clients.push(client);
    return client;
  };
  const allConnected = (list: ReliableClient[], what: string) =>
    waitFor(() => list.every((client) => client.connected), { timeoutMs: 15_000, message: () => `${list.filter((c) => !c.connected).length} ${what} not connected` });
  const progressOf = (id: string, node = nodes[0]): Promise<CampaignProgress> => node.campaigns.progress(id);
  const waitForProgress = (id: string, predicate: (progress: CampaignProgress) => boolean, what: string, timeoutMs = 20_000) => {
    let last: CampaignProgress | undefined;
    return waitFor(async () => predicate((last = await progressOf(id))), { timeoutMs, intervalMs: 50, message: () => `${what} (last: ${JSON.stringify(last)})` });
  };
  /** Recipients not sent yet: the push is over once none are left. */
  const unsent = (id: string): Promise<number> => redis.zcard(keys.of(id).pending);

  it('reaches 200 devices exactly once: 50 drop mid-push and return after it, 20 connect only later', async () => {
    const event = 'firmware';
    const runs = new HandlerRuns();
    const users = Array.from({ length: 200 }, (_, i) => `car-${pad(i)}`);
    const offline = users.filter((_, i) => i % 10 === 0); // 20, spread over the send order
    const dropping = users.filter((_, i) => i % 4 === 1); // 50, disjoint from the offline ones
    const direct = users.filter((user) => !offline.includes(user) && !dropping.includes(user));
    proxies = await Promise.all([0, 1, 2, 3, 4].map((p) => TcpProxy.start({ targetPort: Number(new URL(nodes[p % 3].url).port) })));

    const online = [
      ...direct.map((user, i) => device(nodes[i % 3].url, user, { event, runs })),
      ...dropping.map((user, i) => device(proxies[i % 5].url, user, { event, runs })),
    ];
    await allConnected(online, 'online devices');
    expect(await nodes[1].campaigns.preview({ users })).toEqual({ users: 200, devices: 180 });

    const started = Date.now();
    const { id } = await nodes[0].campaigns.start({ target: { users }, event, data: { version: '2.1.3' }, ratePerSecond: 60, expiresAt: inAMinute() });
    expect(Date.now() - started).toBeLessThan(1_000); // delivery is in the background

    await waitForProgress(id, ({ delivered }) => delivered >= 40, 'the push to get under way');
    for (const proxy of proxies) proxy.blackhole(true);
    const lateHalf = offline.slice(0, 10).map((user, i) => device(nodes[i % 3].url, user, { event, runs }));

    await waitFor(async () => (await unsent(id)) === 0, { timeoutMs: 20_000, message: 'the push to end' });
    const droppedUnreached = dropping.filter((user) => runs.of(`${user}/d1`) === 0);
    expect(droppedUnreached.length).toBeGreaterThan(0); // some were sent to while their network was gone
    expect((await progressOf(id)).delivered).toBeLessThan(200);

    for (const proxy of proxies) proxy.blackhole(false);
    const lastHalf = offline.slice(10).map((user, i) => device(nodes[i % 3].url, user, { event, runs }));
    await allConnected([...lateHalf, ...lastHalf], 'late devices');
    await waitForProgress(id, ({ delivered }) => delivered === 200, 'every recipient to acknowledge', 30_000);
    await sleep(500); // a duplicate would show up within this

    expect(users.filter((user) => runs.of(`${user}/d1`) !== 1)).toEqual([]);
    expect(runs.total).toBe(200);
    expect(await progressOf(id, nodes[2])).toEqual({ id, state: 'completed', total: 200, delivered: 200, pending: 0, expired: 0 });
  });

  it('goes on after the node that started it closes', async () => {
    const event = 'notice';
    const runs = new HandlerRuns();
    const users = Array.from({ length: 60 }, (_, i) => `van-${pad(i)}`);
    const online = users.map((user, i) => device(nodes[i % 3].url, user, { event, runs }));
    await allConnected(online, 'devices');
    const starter = await startCampaignNode(redisUrl(), prefix);
    let closed = false;
    try {
      const { id } = await starter.campaigns.start({ namespace: FLEET, target: { users }, event, data: null, ratePerSecond: 20, expiresAt: inAMinute() });
      await waitForProgress(id, ({ delivered }) => delivered >= 10, 'the campaign to start');
      await starter.app.close();
      closed = true;
      expect((await progressOf(id)).delivered).toBeLessThan(60);
      await waitForProgress(id, ({ state }) => state === 'completed', 'the other nodes to finish it');
      await sleep(300);
      expect(users.filter((user) => runs.of(`${user}/d1`) !== 1)).toEqual([]);
      expect(await progressOf(id, nodes[1])).toEqual({ id, state: 'completed', total: 60, delivered: 60, pending: 0, expired: 0 });
    } finally {
      if (!closed) await starter.app.close();
    }
  });

  it('holds ratePerSecond across the cluster, with every node sending', async () => {
    const users = Array.from({ length: 150 }, (_, i) => `bus-${pad(i)}`); // offline: only the sending is timed
    const spies = nodes.map((node) => jest.spyOn(node.emitter, 'of'));
    try {
      const started = Date.now();
      const { id } = await nodes[0].campaigns.start({ target: { users }, event: 'timed', data: 1, ratePerSecond: 50, expiresAt: inAMinute() });
      await waitFor(async () => (await unsent(id)) === 0, { timeoutMs: 15_000, intervalMs: 20, message: 'the push to end' });
      const elapsed = Date.now() - started;
      // 150 at 50/s with a burst of 10: at least (150 - 10) / 50 = 2.8 s.
      expect(elapsed).toBeGreaterThanOrEqual(2_500);
      expect(elapsed).toBeLessThan(6_000);
      expect(spies.filter((spy) => spy.mock.calls.length > 0).length).toBeGreaterThanOrEqual(2);

      const appendedAt = await Promise.all(users.map(async (user) => {
        const { messages } = await nodes[1].streams.read({ namespace: FLEET, stream: StreamName.user(user) }, 0, 10);
        expect(messages).toHaveLength(1); // appended once, whichever node sent it
        return messages[0].ts;
      }));
      const first = Math.min(...appendedAt);
      for (let from = first; from <= first + 2_000; from += 100) {
        expect(appendedAt.filter((at) => at >= from && at < from + 1_000).length).toBeLessThanOrEqual(50 + 10 + 1);
      }

      expect(await nodes[2].campaigns.cancel(id)).toEqual({ id, state: 'cancelled', total: 150, delivered: 0, pending: 0, expired: 150 });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('counts recipients offline until after expiresAt as expired, and their devices skip the message', async () => {
    const event = 'flash-sale';
    const runs = new HandlerRuns();
    const users = Array.from({ length: 10 }, (_, i) => `taxi-${pad(i)}`);
    const [early, late] = [users.slice(0, 5), users.slice(5)];
    await allConnected(early.map((user, i) => device(nodes[i % 3].url, user, { event, runs })), 'early devices');
    const { id } = await nodes[0].campaigns.start({ target: { users }, event, data: { discount: 30 }, expiresAt: Date.now() + 2_500 });
    await waitForProgress(id, ({ delivered }) => delivered === 5, 'the online devices to acknowledge');

    await waitForProgress(id, ({ state }) => state === 'expired', 'the campaign to expire', 10_000);
    const expired = { id, state: 'expired', total: 10, delivered: 5, pending: 0, expired: 5 };
    expect(await progressOf(id)).toEqual(expired);

    await allConnected(late.map((user, i) => device(nodes[i % 3].url, user, { event, runs })), 'late devices');
    // They get the message by replay, skip it (stale) and acknowledge it anyway: their cursors move on.
    await waitFor(async () => {
      const acked = await Promise.all(late.map((user) => nodes[0].streams.ackedOffset({ namespace: FLEET, stream: StreamName.user(user) })));
      return acked.every((offset) => offset >= 1);
    }, { timeoutMs: 10_000, message: 'the late devices to acknowledge the replay' });
    await sleep(300); // acks reach the campaign within ACK_FLUSH_MS
    expect(late.map((user) => runs.of(`${user}/d1`))).toEqual([0, 0, 0, 0, 0]);
    expect(early.map((user) => runs.of(`${user}/d1`))).toEqual([1, 1, 1, 1, 1]);
    expect(await progressOf(id, nodes[1])).toEqual(expired);
  });

  it('pauses, resumes and cancels on every node, and progress$ follows until the end', async () => {
    const event = 'survey';
    const runs = new HandlerRuns();
    const users = Array.from({ length: 30 }, (_, i) => `truck-${pad(i)}`);
    await allConnected(users.map((user, i) => device(nodes[i % 3].url, user, { event, runs })), 'devices');
    const { id } = await nodes[0].campaigns.start({ target: { users }, event, data: {}, ratePerSecond: 20, expiresAt: inAMinute() });
    const updates = lastValueFrom(nodes[2].campaigns.progress$(id).pipe(toArray(), timeout(30_000)));
    await waitForProgress(id, ({ delivered }) => delivered >= 4, 'the first deliveries');

    expect(await nodes[1].campaigns.pause(id)).toMatchObject({ state: 'paused' });
    await sleep(400); // a batch already claimed is still sent, and acknowledged
    const paused = await progressOf(id);
    const runsWhenPaused = runs.total;
    await sleep(1_000);
    expect(await progressOf(id)).toEqual(paused);
    expect(runs.total).toBe(runsWhenPaused);
    expect(paused.delivered).toBe(runsWhenPaused);
    expect(paused.delivered).toBeLessThan(30);

    expect(await nodes[2].campaigns.resume(id)).toMatchObject({ state: 'running' });
    await waitForProgress(id, ({ delivered }) => delivered >= paused.delivered + 6, 'sending to resume');
    const cancelled = await nodes[0].campaigns.cancel(id);
    expect(cancelled).toMatchObject({ id, state: 'cancelled', total: 30, pending: 0 });
    expect(cancelled.delivered + cancelled.expired).toBe(30);
    expect(cancelled.delivered).toBeLessThan(30);
    await sleep(800);
    expect(await progressOf(id, nodes[1])).toEqual(cancelled); // later acks no longer count
    await expect(nodes[1].campaigns.resume(id)).rejects.toThrow(CampaignStateError);

    const seen = await updates;
    expect(seen.at(-1)).toEqual(cancelled);
    expect(seen.some((update) => update.state === 'paused')).toBe(true);
    const delivered = seen.map((update) => update.delivered);
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
  });

  it('previews users and devices matched by socket.data across nodes, rooms and user lists', async () => {
    const event = 'regional';
    const runs = new HandlerRuns();
    const open = (nodeIndex: number, user: string, region: string, deviceName = 'd1') => device(nodes[nodeIndex].url, user, { event, runs, region, device: deviceName });
    const devices = [
      open(0, 'eu-1', 'eu'), open(1, 'eu-1', 'eu', 'd2'), open(2, 'eu-2', 'eu'), open(1, 'eu-3', 'eu'),
      open(0, 'us-1', 'us'), open(2, 'us-2', 'us'), open(0, 'us-2', 'us', 'd2'),
    ];
    await allConnected(devices, 'devices');
    await Promise.all(['eu-1', 'us-1', 'parked-1'].map((user) => nodes[0].emitter.of(FLEET).join(user, 'beta')));

    const eu = { where: { 'user.region': 'eu' } };
    for (const node of nodes) expect(await node.campaigns.preview(eu)).toEqual({ users: 3, devices: 4 });
    expect(await nodes[1].campaigns.preview({ rooms: ['beta'] }, FLEET)).toEqual({ users: 3, devices: 3 });
    expect(await nodes[2].campaigns.preview({ users: ['us-2', 'nobody'], ...eu })).toEqual({ users: 5, devices: 6 });
    expect(await nodes[0].campaigns.preview({ where: { 'user.region': ['us', 'apac'] } })).toEqual({ users: 2, devices: 3 });

    // A where campaign reaches the users matching now, on every one of their devices.
    const { id } = await nodes[2].campaigns.start({ target: eu, event, data: { region: 'eu' }, expiresAt: inAMinute() });
    await waitForProgress(id, ({ state }) => state === 'completed', 'the eu campaign to complete');
    expect(await progressOf(id)).toEqual({ id, state: 'completed', total: 3, delivered: 3, pending: 0, expired: 0 });
    await waitFor(() => runs.total === 4, { message: () => `every eu device to run the handler (${runs.total})` });
    expect(['eu-1/d1', 'eu-1/d2', 'eu-2/d1', 'eu-3/d1', 'us-1/d1', 'us-2/d1', 'us-2/d2'].map((name) => runs.of(name))).toEqual([1, 1, 1, 1, 0, 0, 0]);
  });

  it('refuses bad campaigns clearly and stores nothing', async () => {
    const valid: CampaignSpec = { target: { users: ['car-x'] }, event: 'update', data: null, expiresAt: inAMinute() };
    const refusal = (spec: unknown) => nodes[0].campaigns.start(spec as CampaignSpec).then(() => undefined, (error: unknown) => error);
    const activeBefore = await redis.smembers(keys.active);

    expect(await refusal({ ...valid, namespace: '/nowhere' })).toMatchObject({ name: 'InvalidCampaignError', field: 'namespace', message: expect.stringContaining('/nowhere') });
    expect(await refusal({ ...valid, target: { where: { 'user.region': 'mars' } } })).toMatchObject({ field: 'target', message: expect.stringContaining('matches no users') });
    expect(await refusal({ ...valid, expiresAt: Date.now() - 1 })).toBeInstanceOf(InvalidCampaignError);
    expect(await refusal({ ...valid, ratePerSecond: 0 })).toMatchObject({ field: 'ratePerSecond' });
    expect(await refusal({ ...valid, target: {} })).toMatchObject({ field: 'target' });
    await expect(nodes[0].campaigns.preview({ users: [] })).rejects.toThrow(InvalidCampaignError);
    await expect(nodes[1].campaigns.progress('no-such-campaign')).rejects.toThrow(CampaignNotFoundError);
    await expect(nodes[1].campaigns.pause('no-such-campaign')).rejects.toThrow(CampaignNotFoundError);
    await expect(firstValueFrom(nodes[1].campaigns.progress$('no-such-campaign'))).rejects.toThrow(CampaignNotFoundError);
    expect((await redis.smembers(keys.active)).filter((id) => !activeBefore.includes(id))).toEqual([]);
  });
});

describe('push campaigns on one node without Redis (memory backend)', () => {
  let node: CampaignNode;
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    node = await startCampaignNode(undefined, 'rs:');
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await node?.app.close();
  });

  it('previews, delivers to every online device once, and cancels the rest', async () => {
    const event = 'local';
    const runs = new HandlerRuns();
    const open = (user: string, region: string, deviceName = 'd1') => {
      const client = fleetDevice(node.url, user, { event, runs, region, device: deviceName });
      clients.push(client);
      return client;
    };
    const devices = [open('m-1', 'eu'), open('m-1', 'eu', 'd2'), open('m-2', 'eu'), open('m-3', 'us')];
    await waitFor(() => devices.every((client) => client.connected), { timeoutMs: 10_000, message: 'devices to connect' });
    expect(await node.campaigns.preview({ where: { 'user.region': 'eu' } })).toEqual({ users: 2, devices: 3 });

    const { id } = await node.campaigns.start({ target: { where: { 'user.region': 'eu' }, users: ['m-offline'] }, event, data: 1, ratePerSecond: 100, expiresAt: inAMinute() });
    await waitFor(async () => (await node.campaigns.progress(id)).delivered === 2, { message: 'the online recipients to acknowledge' });
    await sleep(200);
    expect(['m-1/d1', 'm-1/d2', 'm-2/d1', 'm-3/d1'].map((name) => runs.of(name))).toEqual([1, 1, 1, 0]);
    expect(await node.campaigns.cancel(id)).toEqual({ id, state: 'cancelled', total: 3, delivered: 2, pending: 0, expired: 1 });
  });
});
