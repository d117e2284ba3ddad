/**
 * Issue 7: the core e2e suites (`@Reliable()` handlers, sessions, delivery receipts) unchanged on a private
 * 3-master Redis Cluster, with in-process nodes whose `redis` option is an ioredis `Cluster`; plus live
 * delivery between nodes followed by a replay of what a closed client missed.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryStorage, ReliableClient, type ReliableClientOptions } from '@reliable-socket/client';
import { ReliableEmitter } from '@reliable-socket/nestjs';
import { describeDeliveryReceipts } from './suites/delivery-receipts.suite.js';
import { useProbePair } from './suites/probe-pair.fixture.js';
import { describeReliableHandlers } from './suites/reliable-handlers.suite.js';
import { describeSessions } from './suites/sessions.suite.js';
import { RedisClusterTarget } from './support/redis-target.js';
import { sleep, waitFor } from './support/wait.js';
import { TEST_CLIENT_OPTIONS } from './fixtures/chat.fixtures.js';

const target = new RedisClusterTarget();

beforeAll(() => target.start(), 30_000);
afterAll(() => target.stop(), 30_000);

describeReliableHandlers(target);
describeSessions(target);
describeDeliveryReceipts(target);

describe(`delivery between nodes (${target.name})`, () => {
  const pair = useProbePair(target, 'cluster-delivery');

  const open = (url: string, options: Partial<ReliableClientOptions>, notes?: string[]): ReliableClient => {
    const client = new ReliableClient(`${url}/probe`, { ...TEST_CLIENT_OPTIONS, ...options });
    client.on('note', (data) => {
      const { from, text } = data as { from: string; text: string };
      notes?.push(`${from}:${text}`);
    });
    pair.clients.push(client);
    return client;
  };

  const notify = async (alice: ReliableClient, texts: string[]): Promise<number[]> => {
    const offsets: number[] = [];
    for (const text of texts) offsets.push((await alice.send<{ offset: number }>('notify', { to: 'bob', text })).offset);
    return offsets;
  };

  it('bob on node A gets alice\'s notes sent through node B live; a new client on node B over the same storage replays exactly the missed ones, in order', async () => {
    const bobStorage = { storage: new MemoryStorage(), storageKey: 'bob-tab', auth: { user: 'bob' } };
    const live: string[] = [];
    const bobOnA = open(pair.nodeA.url, bobStorage, live);
    const alice = open(pair.nodeB.url, { storage: new MemoryStorage(), auth: { user: 'alice' } });
    await waitFor(() => bobOnA.connected && alice.connected, { timeoutMs: 5_000, message: 'bob or alice never connected' });

    expect(await notify(alice, ['live-1', 'live-2', 'live-3'])).toEqual([1, 2, 3]);
    await waitFor(() => live.length === 3, { timeoutMs: 5_000, message: () => `bob got ${JSON.stringify(live)} live` });
    expect(live).toEqual(['alice:live-1', 'alice:live-2', 'alice:live-3']);
    await bobOnA.close();

    expect(await notify(alice, ['missed-1', 'missed-2', 'missed-3'])).toEqual([4, 5, 6]);
    const replayed: string[] = [];
    const bobOnB = open(pair.nodeB.url, bobStorage, replayed);
    await waitFor(() => bobOnB.connected && replayed.length >= 3, { timeoutMs: 5_000, message: () => `bob replayed ${JSON.stringify(replayed)}` });
    await sleep(300); // anything replayed twice or out of order would arrive within this
    expect(replayed).toEqual(['alice:missed-1', 'alice:missed-2', 'alice:missed-3']);
    expect(live).toHaveLength(3);
    expect((await bobOnB.cursors())['user:bob']).toMatchObject({ offset: 6 });
  });

  it('concurrent emits to users whose streams live on different masters all become durable', async () => {
    // Batched in one tick: ioredis auto-pipelining once grouped these scripts into one pipeline across slots and rejected it whole.
    const users = Array.from({ length: 30 }, (_, n) => `many-${n}`);
    const emitter = pair.nodeA.app.get(ReliableEmitter).of('/probe');
    const receipts = await Promise.all(users.map((user) => emitter.toUser(user).emit('note', { text: 'hi' })));
    expect(receipts.map(({ stream, offset }) => ({ stream, offset }))).toEqual(users.map((user) => ({ stream: `user:${user}`, offset: 1 })));
  });
});
