import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import type { ControlEnvelope, HandshakeState, PresenceEnvelope, ReauthRequest, SessionEnvelope } from './protocol.js';
import type { ReliableErrorEvent } from './lifecycle/lifecycle.events.js';
import type { PresenceEvents } from './presence/presence.api.js';
import { ReliableClient } from './reliable.client.js';
import type { ReliableClientOptions } from './reliable-client.options.js';
import { ReliableError } from './request/reliable.error.js';
import type { SessionInfo } from './session/session-info.interface.js';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Reply = Record<string, unknown>;

/**
 * Plays the session side of the server: records handshakes and requests, announces a session on
 * connect, answers `rs:auth` and presence requests as told, and refuses connections with a code.
 */
class SessionServer {
  readonly sockets: ServerSocket[] = [];
  readonly handshakes: Array<Record<string, unknown> & { rs: HandshakeState }> = [];
  /** Connection attempts, including refused ones. */
  attempts = 0;
  readonly reauths: Array<{ auth: Record<string, unknown>; at: number }> = [];
  readonly presenceRequests: Array<{ event: string; room: string; connection: number }> = [];
  /** Refuse every connection with this code while set. */
  refuseWith: string | undefined;
  announce: (() => SessionEnvelope) | undefined;
  reauthReply: (request: ReauthRequest) => Reply = () => ({ ok: true });
  subscribeReply: (room: string) => Reply = () => ({ ok: true, members: [] });
  private constructor(private readonly http: HttpServer, private readonly io: Server, readonly url: string) {
    const nsp = io.of('/chat');
    nsp.use((_socket, next) => {
      this.attempts += 1;
      if (!this.refuseWith) return next();
      next(Object.assign(new Error('the session is held elsewhere'), { data: { code: this.refuseWith } }));
    });
    nsp.on('connection', (socket) => this.onConnection(socket));
  }

  static async start(): Promise<SessionServer> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new SessionServer(http, io, `http://127.0.0.1:${port}/chat`);
  }

  get current(): ServerSocket {
    return this.sockets[this.sockets.length - 1];
  }

  control(envelope: ControlEnvelope, thenDisconnect = true): void {
    const socket = this.current;
    socket.emit('rs:control', envelope);
    if (thenDisconnect) socket.disconnect(true);
  }

  presence(envelope: PresenceEnvelope): void {
    this.current.emit('rs:presence', envelope);
  }

  private onConnection(socket: ServerSocket): void {
    const connection = this.sockets.push(socket);
    this.handshakes.push(socket.handshake.auth as (typeof this.handshakes)[number]);
    socket.on('rs:auth', (request: ReauthRequest, reply: (r: Reply) => void) => {
      this.reauths.push({ auth: request.auth, at: Date.now() });
      reply(this.reauthReply(request));
    });
    socket.on('rs:presence:subscribe', ({ room }: { room: string }, reply: (r: Reply) => void) => {
      this.presenceRequests.push({ event: 'subscribe', room, connection });
      reply(this.subscribeReply(room));
    });
    socket.on('rs:presence:unsubscribe', ({ room }: { room: string }, reply: (r: Reply) => void) => {
      this.presenceRequests.push({ event: 'unsubscribe', room, connection });
      reply({ ok: true });
    });
    if (this.announce) socket.emit('rs:session', this.announce());
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}

const MAX_BACKOFF_MS = 100;

describe('ReliableClient sessions against a real Socket.IO server', () => {
  let server: SessionServer;
  const clients: ReliableClient[] = [];

  const client = (options: ReliableClientOptions = {}): ReliableClient => {
    const created = new ReliableClient(server.url, { reconnect: { baseMs: 20, maxMs: MAX_BACKOFF_MS }, ...options });
    clients.push(created);
    return created;
  };

  const record = (c: ReliableClient) => {
    const seen = {
      errors: [] as ReliableErrorEvent[],
      replaced: [] as Array<{ reason: string }>,
      rejected: [] as Array<{ reason: string }>,
      sessions: [] as SessionInfo[],
      connects: 0,
      disconnects: [] as string[],
    };
    c.lifecycle.on('error', (e) => seen.errors.push(e));
    c.lifecycle.on('replaced', (e) => seen.replaced.push(e));
    c.lifecycle.on('rejected', (e) => seen.rejected.push(e));
    c.lifecycle.on('session', (e) => seen.sessions.push(e));
    c.lifecycle.on('connected', () => void (seen.connects += 1));
    c.lifecycle.on('disconnected', ({ reason }) => seen.disconnects.push(reason));
    return seen;
  };

  beforeEach(async () => {
    server = await SessionServer.start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  it('sends one session id per instance in every handshake, the same across its reconnects', async () => {
    const first = client();
    await waitFor(() => first.connected, 'the first client');
    server.current.disconnect(true);
    await waitFor(() => server.handshakes.length === 2 && first.connected, 'the reconnect');
    const second = client();
    await waitFor(() => server.handshakes.length === 3 && second.connected, 'the second client');
    const ids = server.handshakes.map((h) => h.rs.session);
    expect(ids[0]).toBe(first.sessionId);
    expect(ids[1]).toBe(first.sessionId);
    expect(ids[2]).toBe(second.sessionId);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(first.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  }, 10_000);

  it('on `replaced`: emits it, stays off for good, and connect() resumes', async () => {
    const c = client();
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    expect(c.state).toBe('connected');
    server.control({ type: 'replaced', reason: 'SESSION_REPLACED' });
    await waitFor(() => seen.replaced.length === 1, 'replaced');
    expect(seen.replaced).toEqual([{ reason: 'SESSION_REPLACED' }]);
    expect(c.replacedBy).toEqual({ reason: 'SESSION_REPLACED' });
    await sleep(3 * MAX_BACKOFF_MS);
    expect(server.attempts).toBe(1);
    expect(c.connected).toBe(false);
    expect(c.state).toBe('replaced');
    // Asked for while stopped: waits for the explicit connect instead of failing.
    const members = c.presence.subscribe('lobby');
    c.connect();
    await expect(members).resolves.toEqual([]);
    await waitFor(() => c.connected, 'the explicit reconnect');
    expect(seen.connects).toBe(2);
    expect(c.state).toBe('connected');
    expect(c.replacedBy).toBeUndefined();
    expect(server.handshakes[1].rs.session).toBe(c.sessionId);
  }, 10_000);

  it('on a SESSION_EXISTS refusal: reports it, emits `rejected`, never retries; connect() tries again', async () => {
    server.refuseWith = 'SESSION_EXISTS';
    const c = client();
    const seen = record(c);
    await waitFor(() => seen.rejected.length === 1, 'rejected');
    expect(seen.errors).toEqual([expect.objectContaining({ code: 'SESSION_EXISTS', message: 'the session is held elsewhere' })]);
    expect(seen.rejected).toEqual([{ reason: 'SESSION_EXISTS' }]);
    expect(c.state).toBe('rejected');
    expect(c.replacedBy).toBeUndefined();
    await sleep(3 * MAX_BACKOFF_MS);
    expect(server.attempts).toBe(1);
    server.refuseWith = undefined;
    c.connect();
    await waitFor(() => c.connected, 'the explicit retry');
    expect(server.attempts).toBe(2);
  }, 10_000);

  it('keeps retrying other refusals (a token being renewed) as before', async () => {
    server.refuseWith = 'UNAUTHENTICATED';
    const c = client();
    const seen = record(c);
    await waitFor(() => server.attempts >= 3, 'retries');
    server.refuseWith = undefined;
    await waitFor(() => c.connected, 'connected');
    expect(seen.rejected).toEqual([]);
  }, 10_000);

  it('on `drain`: leaves and comes back after reconnectInMs, without counting a failure', async () => {
    const c = client();
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    const drainedAt = Date.now();
    server.control({ type: 'drain', reason: 'SHUTDOWN', reconnectInMs: 600 }, false);
    await waitFor(() => !c.connected, 'the client to leave');
    expect(c.state).toBe('connecting');
    // Far past the largest backoff delay, and still waiting for the asked time.
    await sleep(3 * MAX_BACKOFF_MS);
    expect(server.attempts).toBe(1);
    await waitFor(() => c.connected, 'the reconnect', 3000);
    const waited = Date.now() - drainedAt;
    expect(waited).toBeGreaterThanOrEqual(590);
    expect(waited).toBeLessThan(2000);
    expect(seen.disconnects).toEqual(['io client disconnect']);
    expect(seen.errors).toEqual([]);
  }, 10_000);

  it('on `token_expired`: reports TOKEN_EXPIRED and reconnects with a fresh token', async () => {
    let n = 0;
    const c = client({ auth: async () => ({ token: `t${++n}` }) });
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    server.control({ type: 'token_expired', reason: 'TOKEN_EXPIRED' });
    await waitFor(() => server.handshakes.length === 2 && c.connected, 'the reconnect');
    expect(seen.errors).toEqual([expect.objectContaining({ code: 'TOKEN_EXPIRED' })]);
    expect(server.handshakes.map((h) => h.token)).toEqual(['t1', 't2']);
  }, 10_000);

  it('exposes rs:session and refreshes a near expiry over the live connection, with a fresh token', async () => {
    let n = 0;
    const expiresAt = Date.now() + 1500;
    server.announce = () => ({ userId: 'alice', expiresAt });
    server.reauthReply = () => ({ ok: true, expiresAt: Date.now() + 60_000 });
    const c = client({ auth: async () => ({ token: `t${++n}` }), refreshLeadMs: 500 });
    const seen = record(c);
    await waitFor(() => seen.sessions.length === 1, 'the session');
    expect(c.session).toEqual({ userId: 'alice', expiresAt });
    expect(server.reauths).toEqual([]);
    await waitFor(() => server.reauths.length === 1, 'the automatic refresh', 3000);
    expect(server.reauths[0].auth).toEqual({ token: 't2' });
    expect(server.reauths[0].at).toBeLessThan(expiresAt);
    await waitFor(() => seen.sessions.length === 2, 'the refreshed session');
    expect(c.session!.expiresAt).toBeGreaterThan(expiresAt + 50_000);
    expect(server.sockets).toHaveLength(1); // no reconnect
  }, 10_000);

  it('refreshAuth() resolves the new expiry, rejects with the server code, and with UNAVAILABLE when not connected', async () => {
    server.announce = () => ({ userId: 'alice' });
    const c = client({ auth: { token: 'static' }, autoConnect: false });
    await expect(c.refreshAuth()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    c.connect();
    await waitFor(() => c.session !== undefined, 'the session');
    server.reauthReply = () => ({ ok: true, expiresAt: 4_000_000_000_000 });
    await expect(c.refreshAuth()).resolves.toEqual({ expiresAt: 4_000_000_000_000 });
    expect(c.session).toEqual({ userId: 'alice', expiresAt: 4_000_000_000_000 });
    expect(server.reauths.map((r) => r.auth)).toEqual([{ token: 'static' }]);
    server.reauthReply = () => ({ error: { code: 'UNAUTHENTICATED', message: 'token revoked' } });
    const failure = c.refreshAuth();
    await expect(failure).rejects.toBeInstanceOf(ReliableError);
    await expect(failure).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'token revoked' });
    await c.close();
    await expect(c.refreshAuth()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  }, 10_000);

  it('presence: subscribe (even before connecting), changes with stale fences dropped, resubscribe after reconnect, unsubscribe', async () => {
    server.subscribeReply = (room) => ({ ok: true, members: [{ userId: 'bob', online: room === 'lobby' }] });
    const c = client();
    const changes: PresenceEnvelope[] = [];
    const lists: Array<PresenceEvents['members']> = [];
    c.presence.on('change', (e) => changes.push(e));
    c.presence.on('members', (e) => lists.push(e));
    await expect(c.presence.subscribe('lobby')).resolves.toEqual([{ userId: 'bob', online: true }]);
    await expect(c.presence.subscribe('kitchen')).resolves.toEqual([{ userId: 'bob', online: false }]);
    server.presence({ room: 'lobby', userId: 'bob', type: 'leave', fence: 5 });
    server.presence({ room: 'lobby', userId: 'bob', type: 'join', fence: 4 }); // stale: published late by another node
    server.presence({ room: 'lobby', userId: 'bob', type: 'join', fence: 6 });
    await waitFor(() => changes.length === 2, 'two changes');
    await sleep(50);
    expect(changes).toEqual([
      { room: 'lobby', userId: 'bob', type: 'leave', fence: 5 },
      { room: 'lobby', userId: 'bob', type: 'join', fence: 6 },
    ]);

    server.current.disconnect(true);
    await waitFor(() => server.presenceRequests.filter((r) => r.connection === 2).length === 2, 'the resubscriptions');
    expect(server.presenceRequests.filter((r) => r.connection === 2).map((r) => r.room).sort()).toEqual(['kitchen', 'lobby']);
    await waitFor(() => lists.length === 4, 'the fresh member lists');

    await c.presence.unsubscribe('kitchen');
    expect(server.presenceRequests.at(-1)).toEqual({ event: 'unsubscribe', room: 'kitchen', connection: 2 });
    expect(c.presence.rooms()).toEqual(['lobby']);
    server.presence({ room: 'kitchen', userId: 'bob', type: 'join', fence: 7 });
    server.presence({ room: 'lobby', userId: 'bob', type: 'leave', fence: 7 });
    await waitFor(() => changes.length === 3, 'the lobby change');
    await sleep(50);
    expect(changes[2]).toEqual({ room: 'lobby', userId: 'bob', type: 'leave', fence: 7 });
    expect(changes).toHaveLength(3);

    server.current.disconnect(true);
    await waitFor(() => server.presenceRequests.some((r) => r.connection === 3), 'the next resubscription');
    await sleep(50);
    expect(server.presenceRequests.filter((r) => r.connection === 3)).toEqual([{ event: 'subscribe', room: 'lobby', connection: 3 }]);
  }, 10_000);

  it('presence: a subscription waiting for a connection rejects with UNAVAILABLE on close()', async () => {
    const c = client({ autoConnect: false });
    const members = c.presence.subscribe('lobby');
    await c.close();
    await expect(members).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(server.attempts).toBe(0);
  }, 10_000);

  it('presence: a refused subscription rejects with the server code', async () => {
    server.subscribeReply = () => ({ error: { code: 'FORBIDDEN', message: 'not a member' } });
    const c = client();
    await expect(c.presence.subscribe('secret')).rejects.toMatchObject({ name: 'ReliableError', code: 'FORBIDDEN', message: 'not a member' });
    expect(c.presence.rooms()).toEqual([]);
  }, 10_000);
});
