/**
 * Presence across a cluster: counts and queries with users spread over three in-process nodes, a late
 * disconnect of an old connection that must not take a reconnected user offline, `changes$` and room
 * presence subscriptions, and a SIGKILLed sample-app node whose users leave within the TTL.
 * Everything runs on the real Redis with real Socket.IO clients.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { Redis } from 'ioredis';
import type { Subscription } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { ErrorCode, WireEvent, type PresenceEnvelope } from '@reliable-socket/client/protocol';
import { PresenceService, ReliableEmitter, ReliableSocketModule, type PresenceEvent } from '@reliable-socket/nestjs';
import { RedisPresenceStore } from '../libs/reliable-socket/src/presence/redis-presence.store.js';
import { AppProcess } from './support/app-process.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { sleep, waitFor } from './support/wait.js';
import { connectRaw, devToken, nodeEnv } from './fixtures/chat.fixtures.js';
import { listenInProcess, userFromHandshake, TEST_HEARTBEAT } from './fixtures/in-process.node.js';

const TTL_MS = 1_500;
/** The longest a dead node's users can take to leave: their last renewal's TTL, then the next sweep. */
const LEAVE_BOUND_MS = TTL_MS + TTL_MS / 2;
const NAMESPACE = '/presence';

@WebSocketGateway({ namespace: NAMESPACE })
class PresenceGateway {}

interface PresenceNode {
  app: INestApplication;
  url: string;
  presence: PresenceService;
  emitter: ReliableEmitter;
}

/** An in-process node with presence on `/presence`; users authenticate with `auth: { user }`. */
async function startPresenceNode(keyPrefix: string): Promise<PresenceNode> {
  @Module({
    imports: [
      ReliableSocketModule.forRoot({
        redis: redisUrl(),
        keyPrefix,
        heartbeat: TEST_HEARTBEAT,
        presence: { ttlMs: TTL_MS, canSubscribe: (user, _room) => user.id !== 'mallory' },
        authenticate: userFromHandshake,
      }),
    ],
    providers: [PresenceGateway],
  })
  class PresenceTestModule {}

  const { app, url } = await listenInProcess(PresenceTestModule);
  return { app, url, presence: app.get(PresenceService), emitter: app.get(ReliableEmitter) };
}

/** Every presence change one node's `changes$` emitted. */
function record(node: PresenceNode, subscriptions: Subscription[]): PresenceEvent[] {
  const events: PresenceEvent[] = [];
  subscriptions.push(node.presence.changes$.subscribe((event) => events.push(event)));
  return events;
}

const typesAndFences = (events: PresenceEvent[], userId: string) =>
  events.filter((event) => event.userId === userId).map((event) => [event.type, event.fence] as const);

describe('presence on three in-process nodes (redis)', () => {
  const prefix = testKeyPrefix('presence-e2e');
  let nodes: PresenceNode[] = [];
  let sockets: Socket[] = [];
  let subscriptions: Subscription[] = [];
  const proxies: TcpProxy[] = [];

  const connect = async (node: PresenceNode | string, user: string): Promise<Socket> => {
    const url = typeof node === 'string' ? node : node.url;
    const socket = io(`${url}${NAMESPACE}`, { transports: ['websocket'], auth: { user }, reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  const count = () => nodes[0].presence.count();

  beforeAll(async () => {
    nodes = await Promise.all([0, 1, 2].map(() => startPresenceNode(prefix)));
  });

  afterEach(async () => {
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    subscriptions = [];
    sockets.forEach((socket) => socket.close());
    sockets = [];
    await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
    // Every test starts from an empty namespace; a leftover connection expires within the TTL at most.
    await waitFor(async () => (await count()).connections === 0, { timeoutMs: LEAVE_BOUND_MS + 2_000, message: 'presence back to empty' });
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.app.close()));
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  it('counts, answers isOnline and pages online users with users spread over three nodes', async () => {
    const layout: Array<[string, number[]]> = [['ann', [0, 1, 2]], ['ben', [1, 1]], ['cat', [2]], ['dan', [0, 2]], ['eve', [0]]];
    const socketsOf = new Map<string, Socket[]>();
    for (const [user, onNodes] of layout) {
      socketsOf.set(user, await Promise.all(onNodes.map((index) => connect(nodes[index], user))));
    }
    await waitFor(async () => (await count()).connections === 9, { message: 'all 9 connections recorded' });
    for (const node of nodes) {
      expect(await node.presence.count(NAMESPACE)).toEqual({ connections: 9, users: 5 });
      expect(await node.presence.isOnline('ann')).toBe(true);
      expect(await node.presence.isOnline('nobody', NAMESPACE)).toBe(false);
    }
    const first = await nodes[1].presence.onlineUsers(NAMESPACE, { limit: 2 });
    expect(first).toEqual({ users: ['ann', 'ben'], cursor: 'ben' });
    const second = await nodes[2].presence.onlineUsers(NAMESPACE, { cursor: first.cursor, limit: 2 });
    expect(second).toEqual({ users: ['cat', 'dan'], cursor: 'dan' });
    expect(await nodes[0].presence.onlineUsers(NAMESPACE, { cursor: second.cursor, limit: 2 })).toEqual({ users: ['eve'] });

    // ann loses one of three connections, ben both of his.
    socketsOf.get('ann')![0].close();
    socketsOf.get('ben')!.forEach((socket) => socket.close());
    await waitFor(async () => (await count()).connections === 6, { message: 'the 3 disconnects recorded' });
    expect(await nodes[2].presence.count()).toEqual({ connections: 6, users: 4 });
    expect(await nodes[1].presence.isOnline('ann')).toBe(true);
    expect(await nodes[1].presence.isOnline('ben')).toBe(false);
    expect(await nodes[0].presence.onlineUsers(NAMESPACE, { limit: 10 })).toEqual({ users: ['ann', 'cat', 'dan', 'eve'] });
  });

  it('keeps a user online through an out-of-order disconnect: the old connection times out after the new one connected', async () => {
    const events = record(nodes[1], subscriptions);
    const proxy = await TcpProxy.start({ targetPort: Number(new URL(nodes[0].url).port) });
    proxies.push(proxy);
    await connect(proxy.url, 'olga');
    await waitFor(() => events.some((event) => event.userId === 'olga'), { message: 'olga joined' });

    // The old path goes silent: node 0 only notices at its ping timeout, long after the reconnect.
    proxy.blackhole();
    await connect(nodes[2], 'olga');
    await waitFor(async () => (await count()).connections === 2, { message: 'the reconnect recorded' });
    expect(await count()).toEqual({ connections: 2, users: 1 });

    const offlineSeen: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (!(await nodes[1].presence.isOnline('olga'))) offlineSeen.push(Date.now());
        await sleep(25);
      }
    })();
    try {
      await waitFor(async () => (await count()).connections === 1, { timeoutMs: 10_000, message: 'node 0 recorded the late disconnect' });
      // Past a whole TTL and sweep: the late disconnect and the old connection's expiry change nothing.
      await sleep(LEAVE_BOUND_MS);
    } finally {
      watching = false;
      await watcher;
    }
    expect(offlineSeen).toEqual([]);
    expect(await count()).toEqual({ connections: 1, users: 1 });
    expect(typesAndFences(events, 'olga').map(([type]) => type)).toEqual(['join']);
  });

  it('changes$ emits join and leave on every node, with fences growing from one online period to the next', async () => {
    const heard = nodes.map((node) => record(node, subscriptions));
    const first = await connect(nodes[1], 'carl');
    await waitFor(() => heard.every((events) => events.length === 1), { message: 'first join on every node' });
    first.close();
    await waitFor(() => heard.every((events) => events.length === 2), { message: 'first leave on every node' });
    const second = await connect(nodes[2], 'carl');
    await waitFor(() => heard.every((events) => events.length === 3), { message: 'second join on every node' });
    second.close();
    await waitFor(() => heard.every((events) => events.length === 4), { message: 'second leave on every node' });

    const sequence = typesAndFences(heard[0], 'carl');
    expect(sequence.map(([type]) => type)).toEqual(['join', 'leave', 'join', 'leave']);
    const [firstJoin, firstLeave, secondJoin, secondLeave] = sequence.map(([, fence]) => fence);
    expect(firstLeave).toBe(firstJoin);
    expect(secondJoin).toBeGreaterThan(firstLeave);
    expect(secondLeave).toBe(secondJoin);
    expect(heard[1]).toEqual(heard[0]);
    expect(heard[2]).toEqual(heard[0]);
    expect(heard[0].every((event) => event.namespace === NAMESPACE && event.userId === 'carl')).toBe(true);
  });

  it('relays room presence to allowed followers only, once per change, and stops after unsubscribe', async () => {
    const emitter = nodes[0].emitter;
    for (const user of ['alice', 'bob', 'mallory']) await emitter.join(user, 'lobby');
    for (const user of ['alice', 'bob']) await emitter.join(user, 'hall');

    const heardByNode0 = record(nodes[0], subscriptions);
    const alice = await connect(nodes[0], 'alice');
    // Her own join reaches the node's relay before she follows anything, so it is not among what she receives.
    await waitFor(() => heardByNode0.length === 1, { message: 'alice joined' });
    const received: PresenceEnvelope[] = [];
    alice.on(WireEvent.Presence, (envelope: PresenceEnvelope) => received.push(envelope));
    const subscribe = (socket: Socket, request: unknown) => socket.timeout(5_000).emitWithAck(WireEvent.PresenceSubscribe, request);
    expect(await subscribe(alice, { room: 'lobby' })).toEqual({
      ok: true,
      members: [{ userId: 'alice', online: true }, { userId: 'bob', online: false }, { userId: 'mallory', online: false }],
    });
    expect(await subscribe(alice, { room: 'hall' })).toEqual({ ok: true, members: [{ userId: 'alice', online: true }, { userId: 'bob', online: false }] });
    expect(await subscribe(alice, { room: 42 })).toEqual({ error: { code: ErrorCode.BadRequest, message: expect.any(String) } });

    const mallory = await connect(nodes[2], 'mallory');
    expect(await subscribe(mallory, { room: 'lobby' })).toEqual({ error: { code: ErrorCode.Forbidden, message: expect.any(String) } });

    await connect(nodes[1], 'zoe'); // not a member of either room: nothing to relay
    const bob = await connect(nodes[1], 'bob');
    await waitFor(() => received.filter((envelope) => envelope.userId === 'bob').length === 2, { message: 'bob joins lobby and hall' });
    bob.close();
    await waitFor(() => received.filter((envelope) => envelope.userId === 'bob').length === 4, { message: 'bob leaves lobby and hall' });

    const inRoom = (room: string) => received.filter((envelope) => envelope.room === room).map(({ userId, type, fence }) => ({ userId, type, fence }));
    const [join] = inRoom('hall');
    expect(join).toEqual({ userId: 'bob', type: 'join', fence: expect.any(Number) });
    const expected = [{ userId: 'bob', type: 'join', fence: join.fence }, { userId: 'bob', type: 'leave', fence: join.fence }];
    expect(inRoom('hall')).toEqual(expected);
    // mallory may not follow presence, but is a member: her coming online is relayed to lobby followers.
    expect(inRoom('lobby')).toEqual([{ userId: 'mallory', type: 'join', fence: expect.any(Number) }, ...expected]);
    expect(received.filter((envelope) => envelope.userId === 'zoe')).toEqual([]);

    expect(await alice.timeout(5_000).emitWithAck(WireEvent.PresenceUnsubscribe, { room: 'lobby' })).toEqual({ ok: true });
    received.length = 0;
    const bobAgain = await connect(nodes[2], 'bob');
    // The hall join comes from the same relay pass as a lobby one would: once it is in, lobby had its chance.
    await waitFor(() => received.length > 0, { message: 'bob joins hall again' });
    bobAgain.close();
    await waitFor(() => received.length === 2, { message: 'bob leaves hall again' });
    expect(received.map(({ room, type }) => [room, type])).toEqual([['hall', 'join'], ['hall', 'leave']]);
  });
});

describe('presence when a sample-app node is SIGKILLed (real processes)', () => {
  const prefix = testKeyPrefix('presence-kill');
  let apps: AppProcess[] = [];
  let observer: { store: RedisPresenceStore; close(): Promise<void> } | undefined;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const env = nodeEnv({ REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, PRESENCE_TTL_MS: String(TTL_MS) });
    apps = await Promise.all([0, 1, 2].map(() => AppProcess.start({ env })));
    const client = new Redis(redisUrl());
    const subscriber = new Redis(redisUrl());
    const store = new RedisPresenceStore({ client, subscriber, keyPrefix: prefix });
    observer = {
      store,
      close: async () => {
        await store.close();
        await Promise.all([client.quit(), subscriber.quit()]);
      },
    };
    await store.ready();
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await Promise.all(apps.map((app) => app.stop()));
    await observer?.close();
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  it('drops exactly the killed node connections and users within the TTL, and publishes their leaves after the next sweep', async () => {
    const [victim, survivorA, survivorB] = apps;
    const store = observer!.store;
    const join = async (app: AppProcess, user: string) => {
      sockets.push(await connectRaw(app.url, { token: await devToken(survivorA.url, user) }));
    };
    const events: PresenceEvent[] = [];
    store.onChange((event) => events.push(event));
    // One connection per user: the sample allows one live session per user (@UniquePerNamespace).
    const doomed = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const survivors = ['s1', 's2', 's3', 's4'];
    for (const user of doomed) await join(victim, user);
    for (const [index, user] of survivors.entries()) await join(index % 2 ? survivorB : survivorA, user);
    await waitFor(async () => events.length === 9 && (await store.count('/chat')).connections === 9, { message: 'the 9 users connected' });
    expect(await store.count('/chat')).toEqual({ connections: 9, users: 9 });

    await victim.kill();
    const killedAt = Date.now();

    await waitFor(async () => (await store.count('/chat')).connections === 4, { timeoutMs: TTL_MS + 1_000, message: 'the killed node connections expired' });
    const countedAfterMs = Date.now() - killedAt;
    expect(await store.count('/chat')).toEqual({ connections: 4, users: 4 });
    expect(await store.online('/chat', [...doomed, ...survivors])).toEqual([...doomed.map(() => false), ...survivors.map(() => true)]);
    expect(countedAfterMs).toBeLessThanOrEqual(TTL_MS + 1_000);

    await waitFor(() => events.length === 9 + doomed.length, {
      timeoutMs: LEAVE_BOUND_MS + 1_000,
      message: 'leaves of the killed node users, published by a survivor sweep',
    });
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEAVE_BOUND_MS + 1_000);
    // One more sweep period: nothing else leaves, nobody comes back.
    await sleep(TTL_MS / 2 + 250);
    expect(events.slice(9).map((event) => [event.type, event.userId]).sort()).toEqual(doomed.map((user) => ['leave', user]));
    expect(await store.count('/chat')).toEqual({ connections: 4, users: 4 });
    expect((await store.onlineUsers('/chat', { limit: 10 })).users).toEqual(survivors);
  });
});
