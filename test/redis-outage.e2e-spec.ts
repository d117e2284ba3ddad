/**
 * Issue 7: what happens while Redis is unreachable. A node reaches Redis through a real TCP proxy, which
 * refuses connections (Redis down) or silently drops every byte (a dead network path). Reliable emits fail
 * with `StoreUnavailableError` within `redisTimeoutMs`, never report success for a message that was not
 * stored, `@Reliable()` handlers answer `UNAVAILABLE` (the SDK keeps the message and retries), client
 * connections stay up, and everything resumes, exactly once, when Redis is back.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { ReliableEmitter, StoreUnavailableError } from '@reliable-socket/nestjs';
import { TEST_CLIENT_OPTIONS } from './fixtures/chat.fixtures.js';
import { startProbeNode } from './fixtures/probe.gateway.js';
import { freePort } from './support/free-port.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { sleep, waitFor } from './support/wait.js';

const prefix = testKeyPrefix('redis-outage');
const REDIS_TIMEOUT_MS = 1_000;
/** Longer than the test nodes' heartbeat (500 + 500 ms) and than the Redis timeout, twice over. */
const OUTAGE_MS = 2_500;

interface Note {
  from: string;
  text: string;
}

describe('Redis outage (a real TCP proxy between the node and Redis)', () => {
  let redisProxy: TcpProxy;
  let redisPort: number;
  let node: { app: INestApplication; url: string };
  /** A second node with a direct, healthy Redis connection. */
  let healthyNode: { app: INestApplication; url: string };
  let emitter: ReliableEmitter;
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    redisPort = Number(new URL(redisUrl()).port || 6379);
    redisProxy = await TcpProxy.start({ targetPort: redisPort });
    [node, healthyNode] = await Promise.all([
      startProbeNode(`redis://127.0.0.1:${redisProxy.port}`, prefix, { redisTimeoutMs: REDIS_TIMEOUT_MS }),
      startProbeNode(redisUrl(), prefix, { redisTimeoutMs: REDIS_TIMEOUT_MS }),
    ]);
    emitter = node.app.get(ReliableEmitter);
  });

  afterEach(async () => {
    redisProxy.blackhole(false);
    redisProxy.retarget(redisPort);
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await Promise.all([node?.app.close(), healthyNode?.app.close()]);
    await redisProxy?.stop();
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  /**
   * An SDK client on `/probe` that records its notes and how often its connection dropped, once the server
   * has synced it (`rs:synced`): a connection whose sync an outage interrupts is dropped by design (the SDK
   * reconnects and resumes), so the tests that expect no drop start their outage after it.
   */
  async function connectUser(user: string, via = node): Promise<{ client: ReliableClient; notes: string[]; drops: () => number; gaps: unknown[] }> {
    const client = new ReliableClient(`${via.url}/probe`, { storage: new MemoryStorage(), ...TEST_CLIENT_OPTIONS, auth: { user } });
    clients.push(client);
    let synced = false;
    client.socket.once('rs:synced', () => (synced = true));
    const notes: string[] = [];
    let drops = 0;
    const gaps: unknown[] = [];
    client.lifecycle.on('gap', (gap) => gaps.push(gap));
    client.on<Note>('note', (note) => {
      notes.push(note.text);
    });
    client.lifecycle.on('disconnected', () => {
      drops += 1;
    });
    await waitFor(() => client.connected && synced, { timeoutMs: 10_000, message: `${user} to connect and be synced` });
    return { client, notes, drops: () => drops, gaps };
  }

  /** Resolves to how long the emit took to fail; fails the test if it succeeded. */
  async function failingEmitMs(to: string, text: string): Promise<number> {
    const started = Date.now();
    const outcome = await emitter.toUser(to).emit('note', { from: 'server', text }).then(
      () => 'stored',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(StoreUnavailableError);
    expect(outcome).toMatchObject({ code: 'UNAVAILABLE' });
    return Date.now() - started;
  }

  /** Resolves to what bob received. */
  async function exchangeAcrossOutage(startOutage: () => void, endOutage: () => void, tag: string): Promise<string[]> {
    const alice = await connectUser(`alice-${tag}`);
    const bob = await connectUser(`bob-${tag}`);
    await alice.client.send('notify', { to: `bob-${tag}`, text: 'before' });
    await waitFor(() => bob.notes.includes('before'), { timeoutMs: 5_000, message: 'bob to get "before"' });

    startOutage();
    const failedAfterMs = await failingEmitMs(`bob-${tag}`, 'emitted-during-outage');
    // Bounded: it waited for Redis (up to the timeout), then failed; it did not hang.
    expect(failedAfterMs).toBeLessThan(REDIS_TIMEOUT_MS * 2 + 1_000);

    let sendSettled = false;
    const sent = alice.client.send<{ offset: number }>('notify', { to: `bob-${tag}`, text: 'sent-during-outage' });
    sent.then(() => (sendSettled = true), () => (sendSettled = true));
    await sleep(OUTAGE_MS);
    expect(sendSettled).toBe(false); // answered UNAVAILABLE and kept in the outbox, not rejected
    expect(await alice.client.pending()).toEqual([expect.objectContaining({ event: 'notify' })]);
    expect({ alice: alice.drops(), bob: bob.drops(), aliceUp: alice.client.connected, bobUp: bob.client.connected })
      .toEqual({ alice: 0, bob: 0, aliceUp: true, bobUp: true });

    endOutage();
    await expect(sent).resolves.toEqual({ offset: expect.any(Number) });
    await emitter.toUser(`bob-${tag}`).emit('note', { from: 'server', text: 'emitted-after' });
    await waitFor(() => bob.notes.includes('emitted-after') && bob.notes.includes('sent-during-outage'), {
      timeoutMs: 10_000, message: `bob to get the late messages, has ${JSON.stringify(bob.notes)}`,
    });
    await sleep(300); // a duplicate would arrive within this
    expect(bob.notes.filter((note) => note === 'sent-during-outage')).toHaveLength(1);
    expect(await alice.client.pending()).toEqual([]);
    expect({ alice: alice.drops(), bob: bob.drops() }).toEqual({ alice: 0, bob: 0 });
    return bob.notes;
  }

  it('Redis refusing connections: emits fail within the timeout, nothing unstored is delivered, all resumes exactly once', async () => {
    const deadPort = await freePort();
    const bobNotes = await exchangeAcrossOutage(
      () => {
        redisProxy.retarget(deadPort);
        redisProxy.closeAll();
      },
      () => redisProxy.retarget(redisPort),
      'refused',
    );
    expect(bobNotes).toEqual(['before', 'sent-during-outage', 'emitted-after']);
  });

  it('Redis silently unreachable (blackholed): the same, the dead connection is noticed and replaced', async () => {
    await exchangeAcrossOutage(
      () => redisProxy.blackhole(true),
      () => redisProxy.blackhole(false),
      'blackholed',
    );
  });

  it('an emit refused while Redis was down is never written later', async () => {
    const carol = await connectUser('carol');
    const deadPort = await freePort();
    redisProxy.retarget(deadPort);
    redisProxy.closeAll();
    await failingEmitMs('carol', 'refused-then-never');
    redisProxy.retarget(redisPort);
    await emitter.toUser('carol').emit('note', { from: 'server', text: 'after-recovery' });
    await waitFor(() => carol.notes.includes('after-recovery'), { timeoutMs: 10_000, message: 'carol to get "after-recovery"' });
    await sleep(300);
    expect(carol.notes).toEqual(['after-recovery']);
  });

  for (const [mode, cut, restore] of [
    ['refused', (deadPort: number) => { redisProxy.retarget(deadPort); redisProxy.closeAll(); }, () => redisProxy.retarget(redisPort)],
    ['blackholed', () => redisProxy.blackhole(true), () => redisProxy.blackhole(false)],
  ] as const) {
    it(`a message published while this node's Redis link was ${mode} reaches its connected client when the link is back`, async () => {
      // bob stays connected to the node that loses Redis; dan sends through the healthy node, whose
      // publish this node's subscription misses. Nothing later on bob's stream would reveal the hole.
      const bob = await connectUser(`bob-live-${mode}`);
      const dan = await connectUser(`dan-live-${mode}`, healthyNode);
      await dan.client.send('notify', { to: `bob-live-${mode}`, text: 'one' });
      await waitFor(() => bob.notes.includes('one'), { timeoutMs: 5_000, message: 'bob to get "one"' });
      cut(await freePort());
      await sleep(REDIS_TIMEOUT_MS * 2); // long enough for the dead link to be noticed and dropped
      await expect(dan.client.send('notify', { to: `bob-live-${mode}`, text: 'two' })).resolves.toEqual({ offset: 2 });
      await sleep(500);
      restore();
      await waitFor(() => bob.notes.includes('two'), { timeoutMs: 15_000, message: `bob to get "two" without another message, has ${JSON.stringify(bob.notes)}` });
      expect(bob.notes).toEqual(['one', 'two']);
      expect({ drops: bob.drops(), gaps: bob.gaps }).toEqual({ drops: 0, gaps: [] });
    });
  }

  it('a receipt resolves for an ack recorded while this node could not hear ack notices', async () => {
    const receipt = await emitter.toUser('erin-receipt').emit('note', { from: 'server', text: 'for erin' });
    const delivered = receipt.delivered(30_000);
    redisProxy.retarget(await freePort());
    redisProxy.closeAll();
    // erin connects to the healthy node: her replay's ack is recorded there, and its notice is published
    // while this node's subscription is down.
    const erin = await connectUser('erin-receipt', healthyNode);
    await waitFor(() => erin.notes.includes('for erin'), { timeoutMs: 10_000, message: 'erin to get her note' });
    await sleep(1_000); // the SDK's ack goes out within its ack interval
    let settled = false;
    void delivered.then(() => (settled = true), () => (settled = true));
    expect(settled).toBe(false);
    redisProxy.retarget(redisPort);
    await expect(delivered).resolves.toBeUndefined();
  });
});
