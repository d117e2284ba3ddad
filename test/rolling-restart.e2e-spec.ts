/**
 * A rolling deploy: three sample-app processes on one Redis, 50 SDK clients sending each other
 * `@Reliable()` chat messages without pause while every node in turn is stopped with SIGTERM (graceful
 * drain) and started again. Nothing may be lost or duplicated: every acknowledged send reaches its
 * recipient exactly once, at the offset its ack named, and each recipient's offsets are contiguous.
 *
 * Clients reach the cluster through three TCP proxies, one per node, standing in for a load balancer:
 * before a node is stopped its proxy is pointed at another node, so the clients it drains reconnect
 * there; once the node is back its proxy points at it again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ReliableClient } from '@reliable-socket/client';
import { AppProcess } from './support/app-process.js';
import { killAllChildProcesses } from './support/process-reaper.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { sleep, waitFor } from './support/wait.js';
import { chatClient, Inbox, nodeEnv } from './fixtures/chat.fixtures.js';

const NODES = 3;
const CLIENTS = 50;
const DRAIN_MS = 1_500;
/** Pause between two sends of one client (±50 %): about 250 messages per second in total. */
const SEND_EVERY_MS = 200;

afterAll(() => killAllChildProcesses());

/** `Promise.allSettled`, failing the test if the promises have not all settled within `timeoutMs`. */
async function settleWithin<T>(promises: Promise<T>[], timeoutMs: number): Promise<PromiseSettledResult<T>[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${promises.length} sends not all settled within ${timeoutMs} ms after the traffic stopped`)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.allSettled(promises), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Participant {
  user: string;
  client: ReliableClient;
  inbox: Inbox<{ text: string; from: string }>;
  gaps: number;
}

interface Sent {
  to: string;
  text: string;
  ack: Promise<{ offset: number }>;
}

describe('rolling restart of a three-node cluster under load (sample app, redis)', () => {
  const prefix = testKeyPrefix('rolling-restart');
  const nodes: AppProcess[] = [];
  const proxies: TcpProxy[] = [];
  const participants: Participant[] = [];

  beforeAll(async () => {
    const env = nodeEnv({ REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, DRAIN_MS: String(DRAIN_MS), RELIABLE_LEASE_MS: '1000', PRESENCE_TTL_MS: '3000' });
    nodes.push(...(await Promise.all(Array.from({ length: NODES }, () => AppProcess.start({ env })))));
    proxies.push(...(await Promise.all(nodes.map((node) => TcpProxy.start({ targetPort: node.port })))));
    for (let i = 0; i < CLIENTS; i += 1) {
      const user = `u${String(i).padStart(2, '0')}`;
      const client = await chatClient(proxies[i % NODES].url, nodes[0].url, user);
      const participant: Participant = { user, client, inbox: new Inbox(client, 'message'), gaps: 0 };
      client.lifecycle.on('gap', () => (participant.gaps += 1));
      participants.push(participant);
    }
    await waitFor(() => participants.every(({ client }) => client.connected), { timeoutMs: 20_000, message: 'every client connected' });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(participants.map(({ client }) => client.close()));
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await Promise.all(nodes.map((node) => node.stop()));
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  /** Each client sends to the others in turn, without waiting for acks, until `until()` says stop. */
  async function chatter(from: number, sent: Sent[], until: () => boolean): Promise<void> {
    const { user, client } = participants[from];
    for (let n = 0; !until(); n += 1) {
      const to = participants[(from + 1 + (n % (CLIENTS - 1))) % CLIENTS].user;
      const text = `${user}#${n}`;
      sent.push({ to, text, ack: client.send('send', { to, text }) as Promise<{ offset: number }> });
      await sleep(SEND_EVERY_MS * (0.5 + Math.random()));
    }
  }

  it('loses and duplicates nothing while every node is restarted with SIGTERM in turn', async () => {
    const sent: Sent[] = [];
    let stopSending = false;
    const traffic = participants.map((_, i) => chatter(i, sent, () => stopSending));

    await sleep(1_000);
    for (let i = 0; i < NODES; i += 1) {
      proxies[i].retarget(nodes[(i + 1) % NODES].port);
      await nodes[i].stop(DRAIN_MS * 3);
      await nodes[i].restart();
      proxies[i].retarget(nodes[i].port);
      await sleep(1_000);
    }
    stopSending = true;
    await Promise.all(traffic);

    // Every send is acknowledged: queued sends are resent after reconnecting, never dropped.
    const outcomes = await settleWithin(sent.map(({ ack }) => ack), 45_000);
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect({ sent: sent.length, failures: failures.length }).toEqual({ sent: sent.length, failures: 0 });
    expect(sent.length).toBeGreaterThan(1_000);
    const ackedOffset = new Map(sent.map(({ text }, i) => [text, (outcomes[i] as PromiseFulfilledResult<{ offset: number }>).value.offset]));

    const expectedBy = new Map<string, string[]>();
    for (const { to, text } of sent) expectedBy.set(to, [...(expectedBy.get(to) ?? []), text]);
    await waitFor(() => participants.every(({ user, inbox }) => inbox.items.length >= (expectedBy.get(user)?.length ?? 0)), {
      timeoutMs: 30_000,
      message: () => `every recipient got its messages (${participants.filter(({ user, inbox }) => inbox.items.length < (expectedBy.get(user)?.length ?? 0)).length} still short)`,
    });
    await sleep(500); // a duplicate would show up now

    for (const { user, inbox, gaps } of participants) {
      const expected = expectedBy.get(user) ?? [];
      const texts = inbox.texts;
      const offsets = inbox.items.map((item) => item.offset);
      expect({ user, received: texts.length, distinct: new Set(texts).size, gaps }).toEqual({ user, received: expected.length, distinct: expected.length, gaps: 0 });
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i + 1));
      expect(inbox.items.every((item) => item.stream === `user:${user}`)).toBe(true);
      expect(new Set(texts)).toEqual(new Set(expected));
      expect(inbox.items.filter((item) => ackedOffset.get(item.data.text) !== item.offset)).toEqual([]);
    }

    // Each node drained its clients gracefully within its time, never needing SIGKILL.
    for (const node of nodes) {
      expect(node.output()).not.toContain('sending SIGKILL');
      const drained = [...node.output().matchAll(/draining (\d+) connection/g)].map((match) => Number(match[1]));
      expect(drained.length).toBe(1);
      expect(drained[0]).toBeGreaterThan(0);
    }
  }, 150_000);
});
