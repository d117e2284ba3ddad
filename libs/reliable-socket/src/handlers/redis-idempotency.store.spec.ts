import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { StreamName } from '@reliable-socket/client/protocol';
import { deleteKeysWithPrefix, redisUrl, scanKeys, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { KeyCommandRecorder } from '../../../../test/support/key-command.recorder.js';
import { streamTag } from '../store/redis/stream-keys.js';
import { RedisStreamStore } from '../store/redis-stream.store.js';
import { describeIdempotencyStoreContract } from './idempotency.store.contract.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

const url = redisUrl();
const filePrefix = testKeyPrefix('idempotency');
let storesOpened = 0;

/** One "node": a store on its own connection. */
function openNode(keyPrefix = `${filePrefix}${storesOpened++}:`) {
  const client = new Redis(url);
  const store = new RedisIdempotencyStore({ client, keyPrefix });
  return { store, client, keyPrefix, close: async () => void (await client.quit()) };
}

/** The raw replies of the scripts run on this connection (EVALSHA), to see what Redis sends back. */
function recordScriptReplies(client: Redis): unknown[] {
  const replies: unknown[] = [];
  const scripting = client as unknown as { evalsha(...args: unknown[]): Promise<unknown> };
  const original = scripting.evalsha.bind(client);
  scripting.evalsha = async (...args) => {
    const reply = await original(...args);
    replies.push(reply);
    return reply;
  };
  return replies;
}

afterAll(() => deleteKeysWithPrefix(url, filePrefix));

describeIdempotencyStoreContract('RedisIdempotencyStore', async () => {
  // Two connections on one prefix: claims racing from both show the scripts are atomic across nodes.
  const keyPrefix = `${filePrefix}${storesOpened++}:`;
  const [one, two] = [openNode(keyPrefix), openNode(keyPrefix)];
  return { store: one.store, peer: two.store, cleanup: async () => void (await Promise.all([one.close(), two.close()])) };
});

describe('RedisIdempotencyStore on Redis', () => {
  const namespace = '/odd{ns}';
  const userId = 'x}{y|z: ü';
  const message = { namespace, userId, event: 'send:{now}', messageId: '50% {id}: 🚀' };
  const sender = { namespace, userId, senderId: 'device:{1}', event: 'send:{now}' };

  it('gives every key of a user the hash tag of the user stream, with encoded names', async () => {
    const node = openNode();
    try {
      await node.store.claim(message, 'a', 60_000);
      await node.store.complete({ ...message, messageId: 'm2' }, 'a', { ok: true, result: 1 }, 60_000);
      await node.store.recordSequence(sender, 1, 60_000);
      const tag = streamTag(namespace, StreamName.user(userId));
      expect(await scanKeys(node.client, node.keyPrefix)).toEqual([
        `${node.keyPrefix}${tag}:msg:send%3A%7Bnow%7D:50%25 %7Bid%7D%3A 🚀`,
        `${node.keyPrefix}${tag}:msg:send%3A%7Bnow%7D:m2`,
        `${node.keyPrefix}${tag}:seq:device%3A%7B1%7D:send%3A%7Bnow%7D`,
      ].sort());
      expect(tag).toBe('{/odd%7Bns%7D|user:x%7D%7By%7Cz: ü}');
    } finally {
      await node.close();
    }
  });

  it('names each key after its own user and event when calls alternate between them', async () => {
    const node = openNode();
    try {
      const calls = [
        { namespace: '/a', userId: 'u1', event: 'e1', messageId: 'm1' },
        { namespace: '/a', userId: 'u2', event: 'e1', messageId: 'm2' },
        { namespace: '/a', userId: 'u2', event: 'e2', messageId: 'm3' },
        { namespace: '/b', userId: 'u2', event: 'e2', messageId: 'm4' },
        { namespace: '/a', userId: 'u1', event: 'e1', messageId: 'm5' },
      ];
      for (const key of calls) await node.store.claim(key, 'a', 60_000);
      const keyOf = ({ namespace: ns, userId: user, event, messageId }: (typeof calls)[number]): string =>
        `${node.keyPrefix}${streamTag(ns, StreamName.user(user))}:msg:${event}:${messageId}`;
      expect(await scanKeys(node.client, node.keyPrefix)).toEqual(calls.map(keyOf).sort());
    } finally {
      await node.close();
    }
  });

  it('stores a lease as the token and a reply as JSON, each with its TTL', async () => {
    const node = openNode();
    try {
      const tag = streamTag(namespace, StreamName.user(userId));
      const leased = `${node.keyPrefix}${tag}:msg:e:leased`;
      const done = `${node.keyPrefix}${tag}:msg:e:done`;
      const sequence = `${node.keyPrefix}${tag}:seq:s:e`;
      await node.store.claim({ ...message, event: 'e', messageId: 'leased' }, 'token-1', 5_000);
      await node.store.complete({ ...message, event: 'e', messageId: 'done' }, 'token-1', { ok: true, result: [1] }, 7_000);
      await node.store.recordSequence({ ...sender, senderId: 's', event: 'e' }, 9, 9_000);
      expect(await node.client.mget(leased, done, sequence)).toEqual(['L:token-1', 'D:{"ok":true,"result":[1]}', '9']);
      const [leaseTtl, doneTtl, sequenceTtl] = await Promise.all([leased, done, sequence].map((key) => node.client.pttl(key)));
      expect(leaseTtl).toBeGreaterThan(4_000);
      expect(leaseTtl).toBeLessThanOrEqual(5_000);
      expect(doneTtl).toBeGreaterThan(6_000);
      expect(doneTtl).toBeLessThanOrEqual(7_000);
      expect(sequenceTtl).toBeGreaterThan(8_000);
      expect(sequenceTtl).toBeLessThanOrEqual(9_000);
    } finally {
      await node.close();
    }
  });

  /**
   * The commands (with their arguments) that `work` sends on a fresh node, after `warmUp` ran there: the
   * first call of each script may be answered NOSCRIPT and repeated as EVAL, so warm-ups call each once.
   */
  async function commandsOf(warmUp: (store: RedisIdempotencyStore) => Promise<unknown>, work: (store: RedisIdempotencyStore) => Promise<unknown>) {
    const node = openNode();
    let recorder: KeyCommandRecorder | undefined;
    try {
      await warmUp(node.store);
      recorder = await KeyCommandRecorder.start(node.client, node.keyPrefix);
      await work(node.store);
      const seen = await recorder.stop();
      return { seen, names: seen.map(([command]) => command.toLowerCase()), keyPrefix: node.keyPrefix };
    } finally {
      recorder?.disconnect();
      await node.close();
    }
  }

  it('sends one EVALSHA per write and one GET per sequence read, nothing else', async () => {
    const warmUp = { ...message, messageId: 'warm-up' };
    const { names } = await commandsOf(
      async (store) => {
        await store.claim(warmUp, 'w', 60_000);
        await store.renew(warmUp, 'w', 60_000);
        await store.complete(warmUp, 'w', { ok: true, result: 0 }, 60_000);
        await store.recordSequence({ ...sender, senderId: 'warm-up' }, 1, 60_000);
      },
      async (store) => {
        await store.claim(message, 'a', 60_000);
        await store.claim(message, 'b', 60_000);
        await store.renew(message, 'a', 60_000);
        await store.complete(message, 'a', { ok: true, result: 'r' }, 60_000);
        await store.claim(message, 'b', 60_000);
        await store.recordSequence(sender, 2, 60_000);
        await store.completedSequence(sender);
      },
    );
    expect(names).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'get', 'exists']);
  });

  it('sends one EVALSHA for a whole 100-key batch, over all its keys', async () => {
    const keys = Array.from({ length: 100 }, (_, n) => ({ ...message, messageId: `batch-${n}` }));
    const warmUp = { ...message, messageId: 'warm-up' };
    const { seen, names, keyPrefix } = await commandsOf(
      async (store) => {
        await store.claimBatch([warmUp], 'w', 60_000);
        await store.renewBatch([{ key: warmUp, token: 'w' }], 60_000);
        await store.completeBatch([{ key: warmUp, token: 'w', reply: { ok: true, result: 0 } }], 60_000);
      },
      async (store) => {
        await store.claimBatch(keys, 'a', 60_000);
        await store.renewBatch(keys.map((key) => ({ key, token: 'a' })), 60_000);
        await store.completeBatch(keys.map((key, n) => ({ key, token: 'a', reply: { ok: true, result: n } })), 60_000);
      },
    );
    expect(names).toEqual(['evalsha', 'evalsha', 'evalsha', 'exists']);
    // EVALSHA sha numkeys key…: every message key is declared in KEYS, as Redis Cluster requires.
    for (const [, , numberOfKeys, ...rest] of seen.slice(0, 3)) {
      expect(numberOfKeys).toBe('100');
      expect(rest.slice(0, 100).every((key) => key.startsWith(`${keyPrefix}{`) && key.includes(':msg:send'))).toBe(true);
    }
  });

  it('sends one EVALSHA for a whole turn: completions and claims together', async () => {
    const warmUp = { ...message, messageId: 'warm-up' };
    const done = { ...message, messageId: 'done' };
    const { names } = await commandsOf(
      (store) => store.completeThenClaim({ entries: [{ key: warmUp, token: 'w', reply: { ok: true, result: 0 } }], ttlMs: 60_000 }, { keys: [warmUp], token: 'w', leaseMs: 60_000 }),
      (store) => store.completeThenClaim(
        { entries: [{ key: done, token: 'a', reply: { ok: true, result: 1 } }], ttlMs: 60_000 },
        { keys: [done, { ...message, messageId: 'next' }], token: 'b', leaseMs: 60_000 },
      ),
    );
    expect(names).toEqual(['evalsha', 'exists']);
  });

  it('does not echo back replies the batch recorded, only earlier ones', async () => {
    const node = openNode();
    try {
      const big = { ok: true as const, result: 'x'.repeat(100_000) };
      const replies = recordScriptReplies(node.client);
      await node.store.complete({ ...message, messageId: 'earlier' }, 'a', { ok: true, result: 'earlier' }, 60_000);
      const results = await node.store.completeBatch([
        { key: { ...message, messageId: 'big' }, token: 'a', reply: big },
        { key: { ...message, messageId: 'earlier' }, token: 'a', reply: big },
        { key: { ...message, messageId: 'big' }, token: 'b', reply: { ok: true, result: 'repeat' } },
      ], 60_000);
      expect(results).toEqual([big, { ok: true, result: 'earlier' }, big]);
      expect(replies.at(-1)).toEqual([0, '{"ok":true,"result":"earlier"}', -1]);
    } finally {
      await node.close();
    }
  });

  it('shares a connection, and the user slot, with the stream store', async () => {
    const node = openNode();
    const subscriber = new Redis(url);
    const streams = new RedisStreamStore({
      client: node.client, subscriber, keyPrefix: node.keyPrefix, retention: { maxLength: 10, maxAgeMs: 60_000 }, idempotencyTtlMs: 60_000,
    });
    try {
      await streams.append({ namespace, stream: StreamName.user(userId) }, { event: 'e', data: 1 });
      expect(await node.store.claim(message, 'a', 60_000)).toEqual({ status: 'claimed' });
      await streams.append({ namespace, stream: StreamName.user(userId) }, { event: 'e', data: 2 });
      expect(await node.store.claim(message, 'b', 60_000)).toMatchObject({ status: 'busy' });
      const keys = await scanKeys(node.client, node.keyPrefix);
      expect(keys).toHaveLength(3); // log, meta, and the message
      // Redis Cluster hashes the text between the first '{' and the next '}'.
      expect(new Set(keys.map((key) => key.slice(key.indexOf('{'), key.indexOf('}', key.indexOf('{')) + 1))))
        .toEqual(new Set([streamTag(namespace, StreamName.user(userId))]));
    } finally {
      await streams.close();
      subscriber.disconnect();
      await node.close();
    }
  });

  it('refuses a key prefix containing a brace', () => {
    const client = new Redis(url, { lazyConnect: true });
    expect(() => new RedisIdempotencyStore({ client, keyPrefix: 'rs:{x}:' })).toThrow(/keyPrefix/);
    client.disconnect();
  });
});
