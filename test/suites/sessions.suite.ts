/**
 * Issue 4: one live session per user per namespace across three nodes (both conflict modes, dynamic
 * namespaces), token expiry and live refresh, guards that see the authenticated user.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { io, type Socket } from 'socket.io-client';
import { MemoryStorage, ReliableClient, type SendReply } from '@reliable-socket/client';
import { testKeyPrefix } from '../support/redis-prefix.js';
import type { RedisTarget } from '../support/redis-target.js';
import { sleep, waitFor } from '../support/wait.js';
import { TEST_CLIENT_OPTIONS } from '../fixtures/chat.fixtures.js';
import { startSessionsNode } from '../fixtures/sessions.gateway.js';

interface Attempt {
  socket: Socket;
  connected: boolean;
  controls: Array<{ type: string; reason: string }>;
  refusal?: string;
  disconnectReason?: string;
}

/** A plain client that records how its connection attempt ended. */
function attempt(url: string, auth: Record<string, unknown>): Promise<Attempt> {
  const socket = io(url, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
  const result: Attempt = { socket, connected: false, controls: [] };
  socket.on('rs:batch', (_batch: unknown, ack?: (reply: unknown) => void) => ack?.({ ok: true }));
  socket.on('rs:control', (control: { type: string; reason: string }) => result.controls.push(control));
  socket.on('disconnect', (reason) => {
    result.connected = false;
    result.disconnectReason = reason;
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      result.connected = true;
      resolve(result);
    });
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => {
      result.refusal = error.data?.code;
      resolve(result);
    });
  });
}

/** The session suites, on in-process nodes sharing `target`. */
export function describeSessions(target: RedisTarget): void {
  describe(`sessions across three nodes (${target.name})`, () => {
    const prefix = testKeyPrefix('sessions');
    let nodes: Array<{ app: INestApplication; url: string }>;
    const sockets: Socket[] = [];
    const clients: ReliableClient[] = [];

    beforeAll(async () => {
      nodes = await Promise.all([0, 1, 2].map(() => startSessionsNode(target.redisOption(), prefix)));
    });

    afterAll(async () => {
      sockets.forEach((socket) => socket.close());
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(nodes.map((node) => node.app.close()));
      await target.deleteKeys(prefix);
    });

    const concurrentAttempts = async (namespace: string, user: string): Promise<Attempt[]> => {
      const attempts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => attempt(`${nodes[i % 3].url}${namespace}`, { user, rs: { v: 1, cursors: {}, session: `${user}-tab-${i}` } })),
      );
      sockets.push(...attempts.map((result) => result.socket));
      await sleep(1_000); // evictions travel between nodes
      return attempts;
    };

    it('replace: 20 simultaneous connects over 3 nodes leave exactly one session; every loser is told it was replaced', async () => {
      const attempts = await concurrentAttempts('/solo', 'uma');
      const survivors = attempts.filter((result) => result.connected);
      const losers = attempts.filter((result) => !result.connected);
      expect(survivors).toHaveLength(1);
      expect(survivors[0].controls).toEqual([]);
      expect(losers).toHaveLength(19);
      for (const loser of losers) {
        expect(loser.controls).toEqual([{ type: 'replaced', reason: 'SESSION_REPLACED' }]);
        expect(loser.disconnectReason).toBe('io server disconnect');
      }
    });

    it('reject: 20 simultaneous connects over 3 nodes admit exactly one; every other gets SESSION_EXISTS', async () => {
      const attempts = await concurrentAttempts('/exclusive', 'rex');
      expect(attempts.filter((result) => result.connected)).toHaveLength(1);
      const refused = attempts.filter((result) => result.refusal);
      expect(refused).toHaveLength(19);
      expect(new Set(refused.map((result) => result.refusal))).toEqual(new Set(['SESSION_EXISTS']));
    });

    it('reject: the holder\'s own client instance reconnecting is accepted and replaces its lingering socket', async () => {
      const first = await attempt(`${nodes[0].url}/exclusive`, { user: 'ria', rs: { v: 1, cursors: {}, session: 'ria-tab' } });
      const again = await attempt(`${nodes[1].url}/exclusive`, { user: 'ria', rs: { v: 1, cursors: {}, session: 'ria-tab' } });
      sockets.push(first.socket, again.socket);
      await waitFor(() => !first.connected, { timeoutMs: 3_000, message: 'old socket not evicted' });
      expect(again.connected).toBe(true);
    });

    it('uniqueness holds per concrete dynamic namespace', async () => {
      const [a1, b1] = await Promise.all([attempt(`${nodes[0].url}/table-1`, { user: 'dyn', rs: { v: 1, cursors: {}, session: 'd1' } }), attempt(`${nodes[1].url}/table-2`, { user: 'dyn', rs: { v: 1, cursors: {}, session: 'd2' } })]);
      const a2 = await attempt(`${nodes[2].url}/table-1`, { user: 'dyn', rs: { v: 1, cursors: {}, session: 'd3' } });
      sockets.push(a1.socket, b1.socket, a2.socket);
      await waitFor(() => !a1.connected, { timeoutMs: 3_000, message: 'table-1 duplicate not evicted' });
      expect(a1.controls).toEqual([{ type: 'replaced', reason: 'SESSION_REPLACED' }]);
      expect(b1.connected).toBe(true);
      expect(a2.connected).toBe(true);
    });

    it('a replaced SDK client stays disconnected instead of fighting back', async () => {
      const older = new ReliableClient(`${nodes[0].url}/solo`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), storageKey: 'tab-a', auth: { user: 'vic' } });
      clients.push(older);
      const replaced: unknown[] = [];
      older.lifecycle.on('replaced', (event) => replaced.push(event));
      await waitFor(() => older.connected, { timeoutMs: 5_000, message: 'older never connected' });
      const newer = new ReliableClient(`${nodes[1].url}/solo`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), storageKey: 'tab-b', auth: { user: 'vic' } });
      clients.push(newer);
      await waitFor(() => replaced.length === 1, { timeoutMs: 5_000, message: 'older never told it was replaced' });
      expect(replaced).toEqual([{ reason: 'SESSION_REPLACED' }]);
      await sleep(2_000); // several times the maximum reconnect backoff of the test clients
      expect(older.connected).toBe(false);
      expect(newer.connected).toBe(true);
    });

    it('an expired credential ends the session with TOKEN_EXPIRED', async () => {
      const result = await attempt(`${nodes[0].url}/solo`, { user: 'tess', ttlMs: 600 });
      sockets.push(result.socket);
      await waitFor(() => !result.connected, { timeoutMs: 3_000, message: 'session outlived its credential' });
      expect(result.controls).toEqual([{ type: 'token_expired', reason: 'TOKEN_EXPIRED' }]);
    });

    it('a client that refreshes its credential keeps the session past the original expiry', async () => {
      let issued = 0;
      const client = new ReliableClient(`${nodes[1].url}/solo`, {
        ...TEST_CLIENT_OPTIONS,
        storage: new MemoryStorage(),
        refreshLeadMs: 400,
        auth: () => {
          issued += 1;
          return { user: 'fred', ttlMs: 1_200 };
        },
      });
      clients.push(client);
      let disconnects = 0;
      client.lifecycle.on('disconnected', () => (disconnects += 1));
      await waitFor(() => client.connected, { timeoutMs: 5_000, message: 'fred never connected' });
      await sleep(3_500); // almost three credential lifetimes
      expect(disconnects).toBe(0);
      expect(issued).toBeGreaterThanOrEqual(3);
      const manual = await client.refreshAuth();
      expect(manual.expiresAt).toBeGreaterThan(Date.now());
    });

    it('a refresh with another user\'s credential is refused and the session keeps its user', async () => {
      const result = await attempt(`${nodes[2].url}/solo`, { user: 'gwen' });
      sockets.push(result.socket);
      const reply = await result.socket.timeout(3_000).emitWithAck('rs:auth', { auth: { user: 'mallory' } });
      expect(reply).toEqual({ error: { code: 'FORBIDDEN', message: 'the new credential belongs to another user' } });
      expect(result.connected).toBe(true);
    });

    it('guards see the authenticated user: without the role the handler is refused with FORBIDDEN', async () => {
      const [plain, admin] = await Promise.all([attempt(`${nodes[0].url}/solo`, { user: 'pat' }), attempt(`${nodes[1].url}/solo`, { user: 'ada', roles: ['admin'] })]);
      sockets.push(plain.socket, admin.socket);
      const envelope = { id: 'stats-1', sid: 'x', seq: 1, data: {} };
      expect(await plain.socket.timeout(3_000).emitWithAck('admin:stats', envelope)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Forbidden resource' } } satisfies SendReply);
      expect(await admin.socket.timeout(3_000).emitWithAck('admin:stats', envelope)).toEqual({ ok: true, result: { sessions: 1 } });
    });
  });

  describe(`a global HTTP-only guard (${target.name})`, () => {
    const guardedPrefix = testKeyPrefix('sessions-guard');
    let node: { app: INestApplication; url: string };

    beforeAll(async () => {
      node = await startSessionsNode(target.redisOption(), guardedPrefix, { httpOnlyGlobalGuard: true });
    });

    afterAll(async () => {
      await node?.app.close();
      await target.deleteKeys(guardedPrefix);
    });

    it('does not break the library\'s own events: sessions, replay and acks still work', async () => {
      const client = new ReliableClient(`${node.url}/solo`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user: 'hal' } });
      const sessions: unknown[] = [];
      client.lifecycle.on('session', (session) => sessions.push(session));
      await waitFor(() => client.connected && sessions.length === 1, { timeoutMs: 5_000, message: 'no session' });
      expect(await client.probe()).toBe(true);
      expect(sessions).toEqual([{ userId: 'hal' }]);
      await client.close();
    });
  });
}
