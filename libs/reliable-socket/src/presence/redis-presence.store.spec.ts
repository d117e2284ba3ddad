import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { RedisServerProcess } from '../../../../test/support/redis-server.js';
import { KeyCommandRecorder } from '../../../../test/support/key-command.recorder.js';
import { openRedisStoreNode } from '../../../../test/support/redis-store.node.js';
import { waitFor } from '../../../../test/support/wait.js';
import { RedisStreamStore } from '../store/redis-stream.store.js';
import { streamTag } from '../store/redis/stream-keys.js';
import { describePresenceStoreContract } from './presence.store.contract.js';
import type { PresenceEvent } from './presence.store.js';
import { SWEEP_BATCH } from './presence-limits.policy.js';
import { RedisPresenceStore } from './redis-presence.store.js';

const url = redisUrl();
const filePrefix = testKeyPrefix('presence');
let storesOpened = 0;

/** One "node": a store on its own command and subscriber connections. */
const openNode = (keyPrefix = `${filePrefix}${storesOpened++}:`, redisAt = url) =>
  openRedisStoreNode(redisAt, keyPrefix, (connections) => new RedisPresenceStore(connections), (store) => store.ready());

afterAll(() => deleteKeysWithPrefix(url, filePrefix));

describePresenceStoreContract('RedisPresenceStore', async () => {
  const keyPrefix = `${filePrefix}${storesOpened++}:`;
  const [node, peer] = await Promise.all([openNode(keyPrefix), openNode(keyPrefix)]);
  return { store: node.store, peer: peer.store, cleanup: async () => void (await Promise.all([node.close(), peer.close()])) };
});

describe('RedisPresenceStore on Redis', () => {
  const alice = { namespace: '/chat', userId: 'alice', connectionId: 'c1' };

  it('shows a connect made on one node to the other, and delivers its event to both', async () => {
    const keyPrefix = `${filePrefix}${storesOpened++}:`;
    const [one, two] = await Promise.all([openNode(keyPrefix), openNode(keyPrefix)]);
    try {
      const heardByOne: PresenceEvent[] = [];
      const heardByTwo: PresenceEvent[] = [];
      one.store.onChange((event) => heardByOne.push(event));
      two.store.onChange((event) => heardByTwo.push(event));
      const { fence } = await one.store.connect(alice, 60_000);
      expect(await two.store.isOnline('/chat', 'alice')).toBe(true);
      await waitFor(() => heardByOne.length > 0 && heardByTwo.length > 0, { message: 'join heard by both nodes' });
      expect(heardByTwo).toEqual([{ type: 'join', namespace: '/chat', userId: 'alice', fence, at: expect.any(Number) }]);
      expect(heardByOne).toEqual(heardByTwo);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  describe('key layout', () => {
    it('keeps every key of a namespace under its one presence hash tag, whatever the names contain', async () => {
      const node = await openNode();
      try {
        const namespace = '/odd{ns}|x';
        await node.store.connect({ namespace, userId: 'x}{y|z', connectionId: '{c}' }, 60_000);
        await node.store.connect({ namespace, userId: 'bob', connectionId: 'c' }, 60_000);
        const tag = streamTag(namespace, 'presence');
        const keys = await node.client.keys(`${node.keyPrefix}*`);
        expect(keys.map((key) => key.slice(node.keyPrefix.length)).sort()).toEqual(
          ['conns', 'names', 'seq', 'state', 'users'].map((name) => `${tag}:${name}`),
        );
        expect(tag).toBe('{/odd%7Bns%7D%7Cx|presence}');
        // The state record and the connection members survive names with JSON and Lua pattern characters.
        expect(await node.store.onlineUsers(namespace, { limit: 10 })).toEqual({ users: ['bob', 'x}{y|z'] });
        expect(await node.store.disconnect({ namespace, userId: 'x}{y|z', connectionId: '{c}' })).toEqual({ left: true });
      } finally {
        await node.close();
      }
    });

    it('removes everything but the fence sequence with the last connection', async () => {
      const node = await openNode();
      try {
        await node.store.connect(alice, 60_000);
        await node.store.connect({ ...alice, connectionId: 'c2' }, 300);
        await node.store.disconnect(alice);
        await new Promise((resolve) => setTimeout(resolve, 450));
        expect(await node.store.sweep('/chat')).toBe(1);
        expect(await node.client.keys(`${node.keyPrefix}*`)).toEqual([`${node.keyPrefix}${streamTag('/chat', 'presence')}:seq`]);
        // The sequence is what keeps fences growing across the user's offline period.
        expect((await node.store.connect(alice, 60_000)).fence).toBe(3);
      } finally {
        await node.close();
      }
    });
  });

  it('sweeps more expired connections than one script removes', async () => {
    const node = await openNode();
    try {
      const count = SWEEP_BATCH * 2 + 7;
      const connections = Array.from({ length: count }, (_, n) => ({ namespace: '/chat', userId: `u${n % 300}`, connectionId: `c${n}` }));
      await node.store.heartbeat(connections, 200);
      expect(await node.store.count('/chat')).toEqual({ connections: count, users: 300 });
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await node.store.sweep('/chat')).toBe(count);
      expect(await node.client.exists(`${node.keyPrefix}${streamTag('/chat', 'presence')}:state`)).toBe(0);
    } finally {
      await node.close();
    }
  });

  it('sends one EVALSHA per connect, disconnect, heartbeat of one namespace, and query', async () => {
    const node = await openNode();
    let recorder: KeyCommandRecorder | undefined;
    try {
      await node.store.connect({ ...alice, userId: 'warm-up' }, 60_000); // the first call on a socket may be EVAL
      await node.store.count('/chat');
      await node.store.online('/chat', ['warm-up']);
      await node.store.onlineUsers('/chat', { limit: 1 });
      await node.store.heartbeat([{ ...alice, userId: 'warm-up' }], 60_000);
      await node.store.disconnect({ ...alice, userId: 'warm-up' });
      await node.store.sweep('/chat');
      recorder = await KeyCommandRecorder.start(node.client, node.keyPrefix);
      await node.store.connect(alice, 60_000);
      await node.store.heartbeat([alice, { ...alice, userId: 'bob' }], 60_000);
      await node.store.isOnline('/chat', 'alice');
      await node.store.count('/chat');
      await node.store.onlineUsers('/chat', { limit: 10 });
      await node.store.disconnect(alice);
      await node.store.sweep('/chat');
      expect(await recorder.stopNames()).toEqual([...Array(7).fill('evalsha'), 'exists']);
    } finally {
      recorder?.disconnect();
      await node.close();
    }
  });

  it('shares a subscriber with the stream store: each closes only its own channel and listener', async () => {
    const keyPrefix = `${filePrefix}${storesOpened++}:`;
    const client = new Redis(url);
    const subscriber = new Redis(url);
    const streams = new RedisStreamStore({ client, subscriber, keyPrefix, retention: { maxLength: 10, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000 });
    const presence = new RedisPresenceStore({ client, subscriber, keyPrefix });
    try {
      await Promise.all([streams.ping(), presence.ready()]);
      const acks: number[] = [];
      const events: PresenceEvent[] = [];
      streams.onAck((_key, offset) => acks.push(offset));
      presence.onChange((event) => events.push(event));
      const key = { namespace: '/chat', stream: 'user:alice' };
      await streams.append(key, { event: 'e', data: 1 });
      await streams.ack(key, 1);
      await presence.connect(alice, 60_000);
      await waitFor(() => acks.length === 1 && events.length === 1, { message: 'an ack and a join' });

      await presence.close();
      expect(await client.pubsub('NUMSUB', `${keyPrefix}presence`, `${keyPrefix}acks`)).toEqual([`${keyPrefix}presence`, 0, `${keyPrefix}acks`, 1]);
      expect(subscriber.listenerCount('message')).toBe(1);
      await streams.append(key, { event: 'e', data: 2 });
      await streams.ack(key, 2);
      await waitFor(() => acks.length === 2, { message: 'acks still heard after the presence store closed' });
      expect(events).toHaveLength(1);
      expect(subscriber.status).toBe('ready');
    } finally {
      await presence.close();
      await streams.close();
      await Promise.all([client.quit(), subscriber.quit()]);
    }
  });

  it('heals after Redis loses its data: the next heartbeat records the live connections again', async () => {
    const server = await RedisServerProcess.start();
    try {
      const node = await openNode('rs-test:presence-flush:', server.url);
      try {
        await node.store.connect(alice, 60_000);
        await node.client.flushall();
        expect(await node.store.isOnline('/chat', 'alice')).toBe(false);
        await node.store.heartbeat([alice], 60_000);
        expect(await node.store.isOnline('/chat', 'alice')).toBe(true);
        expect(await node.store.count('/chat')).toEqual({ connections: 1, users: 1 });
      } finally {
        await node.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('refuses a key prefix containing a brace, and a subscriber that is the command connection', () => {
    const client = new Redis(url, { lazyConnect: true });
    expect(() => new RedisPresenceStore({ client, subscriber: client.duplicate({ lazyConnect: true }), keyPrefix: 'rs:{x}:' })).toThrow(/keyPrefix/);
    expect(() => new RedisPresenceStore({ client, subscriber: client, keyPrefix: 'rs:' })).toThrow(/subscriber/);
    client.disconnect();
  });
});
