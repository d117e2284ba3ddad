/**
 * Issue 6 (first part): the sample's web pages, without a browser. The pages and the browser builds their
 * import map points at are served with the right types, every module the SDK entry imports resolves, the
 * admin campaign endpoints want an admin bearer token, and they preview and run a campaign to real SDK users.
 * Needs the SDK's build (`npm run build`): the pages serve `libs/reliable-socket-client/dist`.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { createAppModule } from '../sample-app/src/app.module.js';
import { TEST_CLIENT_OPTIONS } from './fixtures/chat.fixtures.js';
import { waitFor } from './support/wait.js';

const JS = /^(text|application)\/javascript\b/;

describe('sample web pages', () => {
  let app: INestApplication;
  let base: string;
  const clients: ReliableClient[] = [];

  const token = async (user: string, role?: string): Promise<string> => {
    const res = await fetch(`${base}/dev/token?${new URLSearchParams({ user, ...(role ? { role } : {}) })}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const api = async (method: string, path: string, bearer?: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json().catch(() => undefined) };
  };
  const connect = async (user: string): Promise<ReliableClient> => {
    const auth = { token: await token(user) };
    const client = new ReliableClient(`${base}/chat`, { storage: new MemoryStorage(), storageKey: `chat:${user}`, ...TEST_CLIENT_OPTIONS, auth });
    clients.push(client);
    await waitFor(() => client.connected, { timeoutMs: 10_000, message: () => `${user} not connected` });
    return client;
  };

  beforeAll(async () => {
    const config = { port: 0, host: '127.0.0.1', redisKeyPrefix: 'unused:', jwtSecret: 'web-secret', production: false };
    const moduleRef = await Test.createTestingModule({ imports: [createAppModule(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await app?.close();
  });

  it.each([
    ['/', /^text\/html/],
    ['/admin', /^text\/html/],
    ['/chat.js', JS],
    ['/admin.js', JS],
    ['/style.css', /^text\/css/],
    ['/vendor/socket.io-client/socket.io.esm.min.js', JS],
    ['/vendor/reliable-socket-client/index.js', JS],
  ])('serves %s', async (path, type) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
  });

  it('does not serve what is not there, nor outside the folders', async () => {
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/vendor/reliable-socket-client/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('maps both bare specifiers in the chat page to modules that load, down to every relative import', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]) as { imports: Record<string, string> };
    expect(Object.keys(map.imports).sort()).toEqual(['@reliable-socket/client', 'socket.io-client']);
    expect(html).toContain('src="/chat.js"');

    const esm = await (await fetch(new URL(map.imports['socket.io-client'], base))).text();
    expect(esm).toMatch(/export\{[^}]*\bas io\b/);

    // Walk the SDK's module graph as a browser would: every specifier is relative or in the import map.
    const seen = new Set<string>();
    const queue = [new URL(map.imports['@reliable-socket/client'], base).href];
    while (queue.length > 0) {
      const url = queue.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await fetch(url);
      expect([url, res.status]).toEqual([url, 200]);
      expect(res.headers.get('content-type')).toMatch(JS);
      for (const [, spec] of (await res.text()).matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        if (spec.startsWith('.')) queue.push(new URL(spec, url).href);
        else expect(map.imports).toHaveProperty([spec]);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('refuses the admin endpoints without a token (401) and to a non-admin (403)', async () => {
    const user = await token('mallory');
    expect((await api('POST', '/admin/campaigns/preview', undefined, { target: { users: ['a'] } })).status).toBe(401);
    expect((await api('POST', '/admin/campaigns/preview', 'not-a-jwt', { target: { users: ['a'] } })).status).toBe(401);
    for (const [method, path] of [['POST', '/admin/campaigns/preview'], ['POST', '/admin/campaigns'], ['GET', '/admin/campaigns/x'], ['POST', '/admin/campaigns/x/pause'], ['POST', '/admin/campaigns/x/resume'], ['POST', '/admin/campaigns/x/cancel']]) {
      expect([path, (await api(method, path, user, method === 'POST' ? { target: { users: ['a'] } } : undefined)).status]).toEqual([path, 403]);
    }
  });

  it('lists who is online, relays the "delivered" tick, and runs a campaign to the connected users', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];
    const admin = await token('admin', 'admin');

    const online = await api('GET', '/presence', await token('carol'));
    expect(online.status).toBe(200);
    expect((online.json.users as string[]).sort()).toEqual(['alice', 'bob']);

    const ticks: Array<{ offset: number; to: string }> = [];
    alice.on<{ offset: number; to: string }>('delivered', (tick) => void ticks.push(tick));
    const { offset } = await alice.send<{ offset: number }>('send', { to: 'bob', text: 'hi' });
    await waitFor(() => ticks.length > 0, { timeoutMs: 10_000, message: () => 'no delivered tick' });
    expect(ticks).toEqual([{ offset, to: 'bob' }]);
    // The ticks live in the sender's reserved room, which nobody else may join.
    const refused = new Promise((resolve) => bob.socket.once('exception', resolve));
    bob.socket.emit('join', { room: 'receipts:alice' }, () => undefined);
    expect(await refused).toMatchObject({ code: 'FORBIDDEN' });

    const byWhere = await api('POST', '/admin/campaigns/preview', admin, { target: { where: { 'user.id': ['alice', 'bob'] } } });
    expect(byWhere).toEqual({ status: 200, json: { users: 2, devices: 2 } });
    const byUsers = await api('POST', '/admin/campaigns/preview', admin, { target: { users: ['alice', 'bob', 'dora'] } });
    expect(byUsers.json).toEqual({ users: 3, devices: 2 });
    expect((await api('POST', '/admin/campaigns/preview', admin, {})).status).toBe(400);

    const handled: string[] = [];
    for (const [name, client] of [['alice', alice], ['bob', bob]] as const) client.on('notice', () => void handled.push(name));
    const started = await api('POST', '/admin/campaigns', admin, { target: { where: { 'user.id': ['alice', 'bob'] } }, event: 'notice', data: { text: 'hello all' }, ratePerSecond: 50, expiresAt: Date.now() + 60_000 });
    expect(started.status).toBe(201);
    const id = started.json.id as string;

    let progress: any;
    await waitFor(async () => (progress = (await api('GET', `/admin/campaigns/${id}`, admin)).json).state === 'completed', { timeoutMs: 15_000, message: () => JSON.stringify(progress) });
    expect(progress).toEqual({ id, state: 'completed', total: 2, delivered: 2, pending: 0, expired: 0 });
    expect(handled.sort()).toEqual(['alice', 'bob']);

    expect((await api('POST', `/admin/campaigns/${id}/cancel`, admin)).status).toBe(409);
    expect((await api('GET', '/admin/campaigns/unknown', admin)).status).toBe(404);
    expect((await api('POST', '/admin/campaigns', admin, { target: { users: ['bob'] }, event: 'notice', data: {}, expiresAt: Date.now() - 1 })).status).toBe(400);
  });

  it('pauses, resumes and cancels a running campaign', async () => {
    const admin = await token('admin', 'admin');
    const users = Array.from({ length: 40 }, (_, i) => `offline-${i}`); // offline: stays pending
    const { json } = await api('POST', '/admin/campaigns', admin, { target: { users }, event: 'notice', data: {}, ttlSeconds: 60 });
    expect((await api('POST', `/admin/campaigns/${json.id}/pause`, admin)).json.state).toBe('paused');
    expect((await api('POST', `/admin/campaigns/${json.id}/resume`, admin)).json.state).toBe('running');
    const cancelled = (await api('POST', `/admin/campaigns/${json.id}/cancel`, admin)).json;
    expect(cancelled).toMatchObject({ state: 'cancelled', total: 40, delivered: 0, pending: 0, expired: 40 });
  });
});
