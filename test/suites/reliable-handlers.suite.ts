/**
 * Issue 3: `@Reliable()` handlers run exactly once per message id across nodes, keep ordering for
 * ordered handlers under reconnects, and answer every error path through the ack. Two in-process
 * nodes on one Redis target; clients are real Socket.IO clients (plain ones and the SDK).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { io, type Socket } from 'socket.io-client';
import { MemoryStorage, ReliableClient, type SendReply } from '@reliable-socket/client';
import { TcpProxy } from '../support/tcp-proxy.js';
import { testKeyPrefix } from '../support/redis-prefix.js';
import type { RedisTarget } from '../support/redis-target.js';
import { sleep, waitFor } from '../support/wait.js';
import { TEST_CLIENT_OPTIONS } from '../fixtures/chat.fixtures.js';
import { probeLog, startProbeNode } from '../fixtures/probe.gateway.js';

async function probeSocket(url: string, user: string): Promise<Socket> {
  const socket = io(`${url}/probe`, { transports: ['websocket'], auth: { user }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

function send(socket: Socket, event: string, envelope: Record<string, unknown>): Promise<SendReply> {
  return socket.timeout(10_000).emitWithAck(event, envelope) as Promise<SendReply>;
}

/** The `@Reliable()` handler suites, on two in-process probe nodes sharing `target`. */
export function describeReliableHandlers(target: RedisTarget): void {
  describe(`@Reliable() handlers on two nodes (${target.name})`, () => {
    const prefix = testKeyPrefix('reliable-handlers');
    let nodeA: { app: INestApplication; url: string };
    let nodeB: { app: INestApplication; url: string };
    const sockets: Socket[] = [];
    const clients: ReliableClient[] = [];

    beforeAll(async () => {
      [nodeA, nodeB] = await Promise.all([startProbeNode(target.redisOption(), prefix), startProbeNode(target.redisOption(), prefix)]);
    });

    afterAll(async () => {
      sockets.forEach((socket) => socket.close());
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([nodeA?.app.close(), nodeB?.app.close()]);
      await target.deleteKeys(prefix);
    });

    beforeEach(() => probeLog.reset());

    const connect = async (url: string, user: string): Promise<Socket> => {
      const socket = await probeSocket(url, user);
      sockets.push(socket);
      return socket;
    };

    it('50 concurrent duplicates of one message id over 2 nodes: the handler runs once and all get its result', async () => {
      const duplicates = await Promise.all(Array.from({ length: 50 }, (_, i) => connect(i % 2 ? nodeA.url : nodeB.url, 'dora')));
      const envelope = { id: 'dup-1', sid: 'dora-tab', seq: 1, data: { key: 'dup-1', delayMs: 300 } };
      const replies = await Promise.all(duplicates.map((socket) => send(socket, 'slow', envelope)));
      expect(probeLog.runs.get('dup-1')).toBe(1);
      expect(new Set(replies.map((reply) => JSON.stringify(reply)))).toEqual(new Set([JSON.stringify({ ok: true, result: { key: 'dup-1', run: 1 } })]));
      duplicates.forEach((socket) => socket.close());
    });

    it('the same message id from two users is two messages', async () => {
      const [ann, bob] = await Promise.all([connect(nodeA.url, 'ann'), connect(nodeB.url, 'bob')]);
      const envelope = { id: 'shared-id', sid: 's', seq: 1, data: { key: 'shared', delayMs: 0 } };
      await Promise.all([send(ann, 'slow', envelope), send(bob, 'slow', envelope)]);
      expect(probeLog.runs.get('shared')).toBe(2);
    });

    it('ordered mode processes one sender in send order while the connection drops and moves between nodes', async () => {
      const proxy = await TcpProxy.start({ targetPort: Number(new URL(nodeA.url).port) });
      try {
        const client = new ReliableClient(`${proxy.url}/probe`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user: 'olga' } });
        clients.push(client);
        let faults = 0;
        let sending = true;
        const chaos = (async () => {
          // Bounded by the test's timeout (240 faults = 60 s), so a hung send cannot keep Jest alive forever.
          while (sending && faults < 240) {
            await sleep(250);
            proxy.retarget(Number(new URL(faults % 2 ? nodeA.url : nodeB.url).port));
            proxy.closeAll();
            faults += 1;
          }
        })();
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.send<number>('ordered', { n: i + 1 })));
        sending = false;
        await chaos;
        expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        expect(probeLog.ordered).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        expect(faults).toBeGreaterThanOrEqual(2);
      } finally {
        await proxy.stop();
      }
    });

    describe('error paths: answered through the ack, not retried, connection kept', () => {
      let socket: Socket;
      beforeAll(async () => {
        socket = await connect(nodeA.url, 'erik');
      });

      it('a WsException rejects with its code, message and details, and a retry gets the same error without running again', async () => {
        const envelope = { id: 'ws-err-1', sid: 'erik', seq: 1, data: { key: 'ws-err' } };
        const first = await send(socket, 'fail-ws', envelope);
        const retry = await send(socket, 'fail-ws', envelope);
        expect(first).toEqual({ ok: false, error: { code: 'INSUFFICIENT_FUNDS', message: 'balance too low', details: { balance: 3 } } });
        expect(retry).toEqual(first);
        expect(probeLog.runs.get('ws-err')).toBe(1);
      });

      it('any other error becomes INTERNAL with nothing internal leaked', async () => {
        const reply = await send(socket, 'fail-internal', { id: 'int-1', sid: 'erik', seq: 1, data: {} });
        expect(reply).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
        expect(JSON.stringify(reply)).not.toContain('hunter2');
      });

      it('a validation pipe failure becomes BAD_REQUEST with details; valid data passes', async () => {
        const bad = await send(socket, 'transfer', { id: 'tr-1', sid: 'erik', seq: 1, data: { to: 5, amount: 0 } });
        expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'Validation failed' } });
        const details = (bad as { error: { details: string[] } }).error.details;
        expect(details.some((line) => line.includes('to'))).toBe(true);
        expect(details.some((line) => line.includes('amount'))).toBe(true);
        expect(await send(socket, 'transfer', { id: 'tr-2', sid: 'erik', seq: 2, data: { to: 'fay', amount: 5 } })).toEqual({ ok: true, result: { ok: '5 to fay' } });
      });

      it.each([
        ['no envelope', { key: 'malformed' }],
        ['missing id', { sid: 'erik', seq: 1, data: { key: 'malformed', delayMs: 0 } }],
        ['bad id', { id: 'has spaces', sid: 'erik', seq: 1, data: { key: 'malformed', delayMs: 0 } }],
        ['bad seq', { id: 'seq-bad', sid: 'erik', seq: 0, data: { key: 'malformed', delayMs: 0 } }],
        ['wrong sid type', { id: 'sid-bad', sid: 7, seq: 1, data: { key: 'malformed', delayMs: 0 } }],
      ])('a malformed envelope (%s) gets a BAD_REQUEST ack and the handler does not run', async (_, payload) => {
        const reply = await send(socket, 'slow', payload);
        expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('malformed reliable message') } });
        expect(probeLog.runs.get('malformed')).toBeUndefined();
      });

      it('a payload over maxPayloadBytes gets PAYLOAD_TOO_LARGE and the handler does not run', async () => {
        const reply = await send(socket, 'small', { id: 'big-1', sid: 'erik', seq: 1, data: { blob: 'x'.repeat(2_000) } });
        expect(reply).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
        expect(await send(socket, 'small', { id: 'big-2', sid: 'erik', seq: 2, data: { blob: 'x' } })).toEqual({ ok: true, result: 12 });
      });

      it('a guard refusal gets FORBIDDEN through the ack', async () => {
        expect(await send(socket, 'guarded', { id: 'g-1', sid: 'erik', seq: 1, data: {} })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Forbidden resource' } });
      });

      it('the connection stayed up through all of it', async () => {
        expect(socket.connected).toBe(true);
        expect(await send(socket, 'slow', { id: 'after-errors', sid: 'erik', seq: 1, data: { key: 'alive', delayMs: 0 } })).toEqual({ ok: true, result: { key: 'alive', run: 1 } });
      });
    });

    it('client.send rejects with TIMEOUT but keeps the message queued until acknowledged', async () => {
      const client = new ReliableClient(`${nodeB.url}/probe`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user: 'tim' } });
      clients.push(client);
      const sent: unknown[] = [];
      client.lifecycle.on('sent', (event) => sent.push(event));
      await expect(client.send('slow', { key: 'late', delayMs: 600 }, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect((await client.pending()).map((message) => message.event)).toEqual(['slow']);
      await waitFor(async () => (await client.pending()).length === 0, { timeoutMs: 5_000, message: 'message never acknowledged' });
      expect(probeLog.runs.get('late')).toBe(1);
    });
  });

  describe(`idempotent emits inside @Reliable() handlers (${target.name})`, () => {
    const emitsPrefix = testKeyPrefix('reliable-emits');
    let survivor: { app: INestApplication; url: string };

    afterAll(async () => {
      await survivor?.app.close();
      await target.deleteKeys(emitsPrefix);
    });

    it('a handler re-run after its node died does not append the same message twice', async () => {
      const doomed = await startProbeNode(target.redisOption(), emitsPrefix, { leaseMs: 500 });
      survivor = await startProbeNode(target.redisOption(), emitsPrefix, { leaseMs: 500 });
      const rita = new ReliableClient(`${survivor.url}/probe`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user: 'rita' } });
      const notes: string[] = [];
      rita.on('note', (data) => {
        notes.push((data as { text: string }).text);
      });
      await waitFor(() => rita.connected, { timeoutMs: 5_000, message: 'rita never connected' });

      const sender = await probeSocket(doomed.url, 'sam');
      const envelope = { id: 'note-1', sid: 'sam-tab', seq: 1, data: { to: 'rita', text: 'once', hangMs: 2_000 } };
      void send(sender, 'notify', envelope).catch(() => undefined);
      await waitFor(() => notes.length === 1, { timeoutMs: 5_000, message: 'first run never emitted' });
      // The node dies mid-handler: its Redis connections go, so its lease can no longer be renewed.
      await doomed.app.close();
      sender.close();

      const retry = await probeSocket(survivor.url, 'sam');
      const reply = await send(retry, 'notify', envelope);
      retry.close();
      expect(reply).toEqual({ ok: true, result: { offset: 1 } });
      await sleep(300);
      expect(notes).toEqual(['once']);
      await rita.close();
      await sleep(2_000); // let the dead node's abandoned handler finish before the suite ends
    });
  });
}
