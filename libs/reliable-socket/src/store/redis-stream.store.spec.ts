import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { RedisServerProcess } from '../../../../test/support/redis-server.js';
import { KeyCommandRecorder } from '../../../../test/support/key-command.recorder.js';
import { openRedisStoreNode } from '../../../../test/support/redis-store.node.js';
import { waitFor } from '../../../../test/support/wait.js';
import { streamTag } from './redis/stream-keys.js';
import { RedisStreamStore } from './redis-stream.store.js';
import { describeStreamStoreContract, type ContractStoreOptions } from './stream.store.contract.js';
import type { StreamKey } from './stream.store.js';

const url = redisUrl();
const filePrefix = testKeyPrefix('store');
let storesOpened = 0;

const DEFAULTS: ContractStoreOptions = { retention: { maxLength: 1_000, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000 };

/** One "node": a store on its own command and subscriber connections. */
const openNode = (options = DEFAULTS, keyPrefix = `${filePrefix}${storesOpened++}:`, redisAt = url) =>
  openRedisStoreNode(redisAt, keyPrefix, (connections) => new RedisStreamStore({ ...connections, ...options }), (store) => store.ping());

afterAll(() => deleteKeysWithPrefix(url, filePrefix));

describeStreamStoreContract('RedisStreamStore', async (options) => {
  const node = await openNode(options);
  return {
    store: node.store,
    // What FLUSHALL does to this store, without disturbing other suites sharing the Redis.
    wipe: async () => {
      await deleteKeysWithPrefix(url, node.keyPrefix);
    },
    cleanup: node.close,
  };
});

describe('RedisStreamStore on Redis', () => {
  const alice: StreamKey = { namespace: '/chat', stream: 'user:alice' };

  it('reports possibly missed acks once its subscription is back after a dropped connection, not before', async () => {
    const node = await openNode();
    try {
      let missed = 0;
      node.store.onAcksMissed(() => {
        missed += 1;
      });
      const heard: number[] = [];
      node.store.onAck((_, offset) => heard.push(offset));
      node.subscriber.disconnect(true); // drops the socket; ioredis reconnects and resubscribes
      await waitFor(() => missed === 1, { message: 'onAcksMissed after the reconnect' });
      // Confirmed means subscribed: an ack recorded now is heard.
      await node.store.append(alice, { event: 'e', data: 1 });
      await node.store.ack(alice, 1);
      await waitFor(() => heard.includes(1), { message: 'the ack after the reconnect' });
      expect(missed).toBe(1);
    } finally {
      await node.close();
    }
  });

  it('delivers an ack recorded on one node to the listeners of every node', async () => {
    const keyPrefix = `${filePrefix}${storesOpened++}:`;
    const [one, two] = await Promise.all([openNode(DEFAULTS, keyPrefix), openNode(DEFAULTS, keyPrefix)]);
    try {
      const heardByOne: [StreamKey, number][] = [];
      const heardByTwo: [StreamKey, number][] = [];
      one.store.onAck((key, offset) => heardByOne.push([key, offset]));
      two.store.onAck((key, offset) => heardByTwo.push([key, offset]));
      await two.store.append(alice, { event: 'e', data: 1 });
      await one.store.ack(alice, 1);
      await waitFor(() => heardByOne.length > 0 && heardByTwo.length > 0, { message: 'ack notices on both nodes' });
      expect(heardByTwo).toEqual([[alice, 1]]);
      expect(heardByOne).toEqual([[alice, 1]]);
      expect(await two.store.ackedOffset(alice)).toBe(1);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('gives concurrent appends from many connections contiguous offsets', async () => {
    const keyPrefix = `${filePrefix}${storesOpened++}:`;
    const nodes = await Promise.all([1, 2, 3, 4].map(() => openNode(DEFAULTS, keyPrefix)));
    try {
      const results = await Promise.all(
        nodes.flatMap((node, index) => Array.from({ length: 50 }, (_, n) => node.store.append(alice, { event: 'e', data: `${index}/${n}` }))),
      );
      expect(results.map((result) => result.offset).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, n) => n + 1));
      expect(new Set(results.map((result) => result.epoch)).size).toBe(1);
      const page = await nodes[0].store.read(alice, 0, 500);
      expect(page.messages.map((message) => message.offset)).toEqual(Array.from({ length: 200 }, (_, n) => n + 1));
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
    }
  });

  it('starts a new epoch at offset 1 after FLUSHALL (on a private server)', async () => {
    const server = await RedisServerProcess.start();
    try {
      const node = await openNode(DEFAULTS, 'rs-test:flush:', server.url);
      try {
        await node.store.append(alice, { event: 'e', data: 1 });
        await node.store.append(alice, { event: 'e', data: 2 });
        await node.store.ack(alice, 2);
        const before = await node.store.state(alice);
        await node.client.flushall();
        const after = await node.store.state(alice);
        expect(after).toEqual({ epoch: expect.any(String), first: 1, head: 0 });
        expect(after.epoch).not.toBe(before.epoch);
        expect(await node.store.ackedOffset(alice)).toBe(0);
        expect(await node.store.append(alice, { event: 'e', data: 3 })).toEqual({ epoch: after.epoch, offset: 1, duplicate: false });
      } finally {
        await node.close();
      }
    } finally {
      await server.stop();
    }
  });

  describe('key layout', () => {
    it('gives every key of a stream the stream hash tag, whatever the names contain', async () => {
      const node = await openNode();
      try {
        const namespace = '/odd{ns}';
        const userId = 'x}{y|z';
        const room = '{lobby} 🚀';
        const userStream = { namespace, stream: `user:${userId}` };
        await node.store.append(userStream, { event: 'e', data: 1, idempotencyKey: '{idem}' });
        await node.store.ack(userStream, 1);
        await node.store.joinRoom(namespace, userId, room);
        const keys = await node.client.keys(`${node.keyPrefix}*`);
        // Redis Cluster hashes the text between the first '{' and the next '}'.
        const tags = keys.map((key) => key.slice(key.indexOf('{'), key.indexOf('}', key.indexOf('{')) + 1));
        const userTag = streamTag(namespace, userStream.stream);
        const roomTag = streamTag(namespace, `room:${room}`);
        expect(keys.map((key) => key.slice(node.keyPrefix.length)).sort()).toEqual(
          [`${userTag}:idem:{idem}`, `${userTag}:log`, `${userTag}:meta`, `${userTag}:rooms`, `${roomTag}:members`, `${roomTag}:meta`].sort(),
        );
        expect(new Set(tags)).toEqual(new Set([userTag, roomTag]));
        expect(userTag).toBe('{/odd%7Bns%7D|user:x%7D%7By%7Cz}');
      } finally {
        await node.close();
      }
    });

    it('sets TTLs: log after maxAgeMs, meta after 30 days, idempotency record after idempotencyTtlMs', async () => {
      const node = await openNode({ retention: { maxLength: 10, maxAgeMs: 5_000 }, idempotencyTtlMs: 7_000 });
      try {
        await node.store.append(alice, { event: 'e', data: 1, idempotencyKey: 'k' });
        const base = `${node.keyPrefix}${streamTag(alice.namespace, alice.stream)}`;
        const [log, meta, idempotency] = await Promise.all([`${base}:log`, `${base}:meta`, `${base}:idem:k`].map((key) => node.client.pttl(key)));
        expect(log).toBeGreaterThan(4_000);
        expect(log).toBeLessThanOrEqual(5_000);
        expect(meta).toBeGreaterThan(29 * 24 * 3_600_000);
        expect(idempotency).toBeGreaterThan(6_000);
        expect(idempotency).toBeLessThanOrEqual(7_000);
      } finally {
        await node.close();
      }
    });

    it('trims expired messages on append, not only on read', async () => {
      const node = await openNode({ retention: { maxLength: 10, maxAgeMs: 300 }, idempotencyTtlMs: 1_000 });
      try {
        for (let n = 0; n < 3; n++) await node.store.append(alice, { event: 'e', data: n });
        await new Promise((resolve) => setTimeout(resolve, 400));
        await node.store.append(alice, { event: 'e', data: 'fresh' });
        expect(await node.client.xlen(`${node.keyPrefix}${streamTag(alice.namespace, alice.stream)}:log`)).toBe(1);
      } finally {
        await node.close();
      }
    });
  });

  describe('history outliving its meta', () => {
    it('discards a log whose meta is gone instead of colliding with restarted offsets', async () => {
      const node = await openNode();
      try {
        for (let n = 0; n < 3; n++) await node.store.append(alice, { event: 'e', data: `old ${n}` });
        await node.client.del(`${node.keyPrefix}${streamTag(alice.namespace, alice.stream)}:meta`);
        expect(await node.store.append(alice, { event: 'e', data: 'new' })).toMatchObject({ offset: 1, duplicate: false });
        const page = await node.store.read(alice, 0, 10);
        expect(page.messages.map((message) => message.data)).toEqual(['new']);
      } finally {
        await node.close();
      }
    });

    it('ignores an idempotency record left from a lost epoch', async () => {
      const node = await openNode();
      try {
        await node.store.append(alice, { event: 'e', data: 1 });
        await node.store.append(alice, { event: 'e', data: 2, idempotencyKey: 'k' });
        await node.client.del(`${node.keyPrefix}${streamTag(alice.namespace, alice.stream)}:meta`);
        expect(await node.store.append(alice, { event: 'e', data: 3, idempotencyKey: 'k' })).toMatchObject({ offset: 1, duplicate: false });
      } finally {
        await node.close();
      }
    });
  });

  it('sends one EVALSHA per append and nothing else', async () => {
    const node = await openNode();
    let recorder: KeyCommandRecorder | undefined;
    try {
      await node.store.append(alice, { event: 'warm-up', data: 0 }); // the first call on a socket may be EVAL
      recorder = await KeyCommandRecorder.start(node.client, node.keyPrefix);
      await node.store.append(alice, { event: 'e', data: 1 });
      await node.store.append(alice, { event: 'e', data: 2, idempotencyKey: 'k' });
      await node.store.append(alice, { event: 'e', data: 3, idempotencyKey: 'k' });
      expect(await recorder.stopNames()).toEqual(['evalsha', 'evalsha', 'evalsha', 'exists']);
    } finally {
      recorder?.disconnect();
      await node.close();
    }
  });

  it('close() releases its subscription but leaves the caller connections open', async () => {
    const node = await openNode();
    const heard: number[] = [];
    node.store.onAck((_key, offset) => heard.push(offset));
    await node.store.close();
    expect(await node.client.pubsub('NUMSUB', `${node.keyPrefix}acks`)).toEqual([`${node.keyPrefix}acks`, 0]);
    expect(await node.client.ping()).toBe('PONG');
    expect(node.subscriber.status).toBe('ready');
    await node.close();
    expect(heard).toEqual([]);
  });

  it('refuses a key prefix containing a brace, and a subscriber that is the command connection', () => {
    const client = new Redis(url, { lazyConnect: true });
    const options = { retention: DEFAULTS.retention, idempotencyTtlMs: 1_000 };
    expect(() => new RedisStreamStore({ client, subscriber: client.duplicate({ lazyConnect: true }), keyPrefix: 'rs:{x}:', ...options })).toThrow(/keyPrefix/);
    expect(() => new RedisStreamStore({ client, subscriber: client, keyPrefix: 'rs:', ...options })).toThrow(/subscriber/);
    client.disconnect();
  });
});
