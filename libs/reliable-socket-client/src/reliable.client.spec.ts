import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket as ServerSocket } from 'socket.io';
import type { AckEnvelope, BatchEnvelope, Cursor, FetchRequest, Gap, HandshakeState, WireMessage } from './protocol.js';
import { ReliableClient } from './reliable.client.js';
import type { ReliableClientOptions } from './reliable-client.options.js';
import { MemoryStorage } from './storage/memory.storage.js';

const STREAM = 'user:1';
const EPOCH = 'E1';

const wire = (offset: number): WireMessage => ({ offset, event: 'note', data: { n: offset }, ts: Date.now() });

async function waitFor(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays the server side of the protocol, minimally: one stream, replayed in a single page after the
 * handshake cursor, then `rs:synced`; `rs:fetch` answered from the same log; probes answered.
 */
class TestServer {
  readonly sockets: ServerSocket[] = [];
  readonly handshakes: Array<Record<string, unknown> & { rs: HandshakeState }> = [];
  readonly acks: AckEnvelope[] = [];
  readonly fetches: FetchRequest[] = [];
  readonly batchAcks: Array<{ reply: unknown; handledAtAck: number }> = [];
  readonly log: WireMessage[] = [];
  answerProbes = true;
  replayOnConnect = true;
  rejectNext: string | undefined;
  /** Read at ack time, to prove the client acks a page only after handling it. */
  handledProbe: () => number = () => 0;
  readonly nsp: Namespace;
  private constructor(private readonly http: HttpServer, private readonly io: Server, readonly url: string) {
    this.nsp = io.of('/chat');
    this.nsp.use((socket, next) => {
      if (!this.rejectNext) return next();
      const error = Object.assign(new Error('go away'), { data: { code: this.rejectNext } });
      this.rejectNext = undefined;
      next(error);
    });
    this.nsp.on('connection', (socket) => this.onConnection(socket));
  }

  static async start(port = 0): Promise<TestServer> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    const { port: bound } = http.address() as AddressInfo;
    return new TestServer(http, io, `http://127.0.0.1:${bound}/chat`);
  }

  get current(): ServerSocket {
    return this.sockets[this.sockets.length - 1];
  }

  append(count: number): WireMessage[] {
    const added = Array.from({ length: count }, (_, i) => wire(this.log.length + i + 1));
    this.log.push(...added);
    return added;
  }

  live(message: WireMessage): void {
    this.current.emit('rs:msg', { stream: STREAM, epoch: EPOCH, ...message });
  }

  private onConnection(socket: ServerSocket): void {
    this.sockets.push(socket);
    this.handshakes.push(socket.handshake.auth as (typeof this.handshakes)[number]);
    socket.on('rs:ack', (envelope: AckEnvelope) => this.acks.push(envelope));
    socket.on('rs:probe', (_payload: unknown, reply: (r: unknown) => void) => {
      if (this.answerProbes) reply({ t: Date.now() });
    });
    socket.on('rs:fetch', (request: FetchRequest, reply: (r: BatchEnvelope) => void) => {
      this.fetches.push(request);
      const after = request.after ?? 0;
      reply({ stream: request.stream, epoch: EPOCH, after, messages: this.log.filter((m) => m.offset > after) });
    });
    if (!this.replayOnConnect) return;
    const cursor = (socket.handshake.auth as { rs: HandshakeState }).rs.cursors[STREAM];
    const after = cursor?.epoch === EPOCH ? cursor.offset : 0;
    const page: BatchEnvelope = { stream: STREAM, epoch: EPOCH, after, messages: this.log.filter((m) => m.offset > after) };
    // No ack timeout: a replay cut by a disconnect is simply abandoned, as the real server does.
    socket.emit('rs:batch', page, (reply: unknown) => {
      this.batchAcks.push({ reply, handledAtAck: this.handledProbe() });
      socket.emit('rs:synced', { streams: [{ stream: STREAM, epoch: EPOCH, head: this.log.length }] });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}

describe('ReliableClient against a real Socket.IO server', () => {
  let server: TestServer;
  const clients: ReliableClient[] = [];

  const client = (options: ReliableClientOptions = {}): ReliableClient => {
    const created = new ReliableClient(server.url, { reconnect: { baseMs: 20, maxMs: 100 }, gapHoldMs: 50, ...options });
    clients.push(created);
    return created;
  };

  const record = (c: ReliableClient) => {
    const seen = { delivered: [] as number[], recovered: [] as Array<{ stream: string; count: number }>, gaps: [] as Gap[], errors: [] as Array<{ code?: string; message: string }>, connects: 0, disconnects: [] as string[] };
    c.on<{ n: number }>('note', (data, meta) => {
      expect(meta.stream).toBe(STREAM);
      expect(meta.offset).toBe(data.n);
      seen.delivered.push(meta.offset);
    });
    c.lifecycle.on('recovered', (r) => seen.recovered.push(r));
    c.lifecycle.on('gap', (g) => seen.gaps.push(g));
    c.lifecycle.on('error', (e) => seen.errors.push(e));
    c.lifecycle.on('connected', () => void (seen.connects += 1));
    c.lifecycle.on('disconnected', ({ reason }) => seen.disconnects.push(reason));
    return seen;
  };

  beforeEach(async () => {
    server = await TestServer.start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  it('sends the app auth (re-evaluated per connect) and the cursors in the handshake', async () => {
    let calls = 0;
    const storage = new MemoryStorage();
    storage.setItem(`reliable-socket:${server.url}:cursors`, JSON.stringify({ [STREAM]: { epoch: EPOCH, offset: 0 } }));
    const c = client({ storage, auth: async () => ({ token: `t${++calls}` }) });
    await waitFor(() => server.handshakes.length === 1, 'the handshake');
    expect(server.handshakes[0]).toEqual({ token: 't1', rs: { v: 1, session: c.sessionId, cursors: { [STREAM]: { epoch: EPOCH, offset: 0 } } } });
    await waitFor(() => c.connected, 'connected');
    server.current.disconnect(true);
    await waitFor(() => server.handshakes.length === 2, 'the second handshake');
    expect(server.handshakes[1].token).toBe('t2');
  }, 10_000);

  it('handles a replay page before acking it, then reports recovered and acks cumulatively', async () => {
    server.append(3);
    const c = client({ ackIntervalMs: 300 });
    const seen = record(c);
    // A slow async handler: the page ack must still come after it finished.
    c.on('note', async () => {
      await sleep(20);
    });
    server.handledProbe = () => seen.delivered.length;
    await waitFor(() => seen.recovered.length === 1, 'recovered');
    expect(seen.delivered).toEqual([1, 2, 3]);
    expect(server.batchAcks).toEqual([{ reply: { ok: true }, handledAtAck: 3 }]);
    expect(seen.recovered).toEqual([{ stream: STREAM, count: 3 }]);
    await waitFor(() => server.acks.length > 0 && server.acks[server.acks.length - 1].acks[STREAM] === 3, 'the ack of 3');
    expect(server.acks.length).toBeLessThan(3);
    expect(await c.cursors()).toEqual({ [STREAM]: { epoch: EPOCH, offset: 3 } });
  }, 10_000);

  it('reorders live messages that arrive out of order, without fetching', async () => {
    const c = client({ gapHoldMs: 2000 });
    const seen = record(c);
    await waitFor(() => server.batchAcks.length === 1 && seen.connects === 1, 'the sync');
    await sleep(20);
    const [m1, m2, m3] = server.append(3);
    server.live(m2);
    server.live(m3);
    server.live(m1);
    await waitFor(() => seen.delivered.length === 3, 'three deliveries');
    expect(seen.delivered).toEqual([1, 2, 3]);
    expect(server.fetches).toEqual([]);
  }, 10_000);

  it('fills a hole with rs:fetch and acks the whole range', async () => {
    const c = client({ ackIntervalMs: 20 });
    const seen = record(c);
    await waitFor(() => server.batchAcks.length === 1, 'the sync');
    await sleep(20);
    const [m1, , , m4] = server.append(4);
    server.live(m1);
    server.live(m4);
    await waitFor(() => seen.delivered.length === 4, 'four deliveries');
    expect(seen.delivered).toEqual([1, 2, 3, 4]);
    expect(server.fetches).toEqual([{ stream: STREAM, after: 1, epoch: EPOCH }]);
    await waitFor(() => server.acks.some((a) => a.acks[STREAM] === 4), 'the ack of 4');
    const acked = server.acks.map((a) => a.acks[STREAM]);
    expect([...acked].sort((a, b) => a - b)).toEqual(acked); // cumulative, never going back
    expect(seen.gaps).toEqual([]);
  }, 10_000);

  it('reconnects after a server-side disconnect, sending the persisted cursors', async () => {
    server.append(2);
    const storage = new MemoryStorage();
    const c = client({ storage });
    const seen = record(c);
    await waitFor(() => seen.recovered.length === 1, 'the first sync');
    server.append(1);
    server.current.disconnect(true);
    await waitFor(() => server.handshakes.length === 2 && seen.delivered.length === 3, 'reconnect and replay');
    expect(seen.disconnects).toEqual(['io server disconnect']);
    expect(seen.connects).toBe(2);
    expect(server.handshakes[1].rs.cursors).toEqual({ [STREAM]: { epoch: EPOCH, offset: 2 } });
    expect(JSON.parse(storage.getItem(`reliable-socket:${server.url}:cursors`)!)).toEqual({ [STREAM]: { epoch: EPOCH, offset: 3 } });
    expect(seen.delivered).toEqual([1, 2, 3]);
  }, 10_000);

  it('reports a refused connection with its code and keeps retrying', async () => {
    server.rejectNext = 'UNAUTHENTICATED';
    const c = client();
    const seen = record(c);
    await waitFor(() => seen.connects === 1, 'the retry to succeed');
    expect(seen.errors[0]).toMatchObject({ code: 'UNAUTHENTICATED', message: 'go away' });
    expect(c.connected).toBe(true);
  }, 10_000);

  it('close() stops reconnecting, even with a retry pending', async () => {
    const c = client({ reconnect: { baseMs: 300, maxMs: 300 } });
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    let closed: Promise<void> | undefined;
    // Registered after the client's own listener, which has scheduled the retry by then.
    c.socket.on('disconnect', () => void (closed = c.close()));
    server.current.disconnect(true);
    await waitFor(() => closed !== undefined, 'the disconnect');
    await closed;
    expect(seen.disconnects).toEqual(['io server disconnect']);
    await sleep(600);
    expect(server.sockets).toHaveLength(1);
    expect(c.connected).toBe(false);
  }, 10_000);

  it('a new client over the same storage resumes after the persisted cursor', async () => {
    server.append(3);
    const storage = new MemoryStorage();
    const first = client({ storage });
    const firstSeen = record(first);
    await waitFor(() => firstSeen.recovered.length === 1, 'the first sync');
    await first.close();
    server.append(2);
    server.replayOnConnect = false;
    const second = client({ storage });
    const secondSeen = record(second);
    await waitFor(() => server.sockets.length === 2 && second.connected, 'the second client');
    expect(server.handshakes[1].rs.cursors).toEqual({ [STREAM]: { epoch: EPOCH, offset: 3 } });
    // A replay that overlaps what the first client handled: the overlap is dropped.
    await server.current.timeout(5000).emitWithAck('rs:batch', { stream: STREAM, epoch: EPOCH, after: 1, messages: server.log.slice(1) });
    expect(firstSeen.delivered).toEqual([1, 2, 3]);
    expect(secondSeen.delivered).toEqual([4, 5]);
  }, 10_000);

  it('probe() resolves true while the server answers, and reconnects at once when it does not', async () => {
    const c = client({ probeTimeoutMs: 200, reconnect: { baseMs: 5000, maxMs: 5000 } });
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    await expect(c.probe()).resolves.toBe(true);
    server.answerProbes = false;
    await expect(c.probe()).resolves.toBe(false);
    // No 5 s backoff: the reconnect is immediate.
    await waitFor(() => seen.connects === 2, 'the forced reconnect', 2000);
    expect(server.sockets).toHaveLength(2);
  }, 10_000);

  it('reports trimmed ranges from the sync as gaps', async () => {
    const storage = new MemoryStorage();
    storage.setItem(`reliable-socket:${server.url}:cursors`, JSON.stringify({ [STREAM]: { epoch: EPOCH, offset: 1 } }));
    server.replayOnConnect = false;
    const c = client({ storage });
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    server.current.emit('rs:synced', { streams: [{ stream: STREAM, epoch: EPOCH, head: 5 }] });
    await waitFor(() => seen.gaps.length === 1, 'the gap');
    expect(seen.gaps).toEqual([{ stream: STREAM, from: 2, to: 5, reason: 'trimmed' }]);
    expect(await c.cursors()).toEqual({ [STREAM]: { epoch: EPOCH, offset: 5 } });
  }, 10_000);

  it('never acks a page on a later connection, where the ack id means another request', async () => {
    server.append(1);
    const c = client();
    let release!: () => void;
    c.on('note', () => new Promise<void>((resolve) => (release = resolve)));
    const seen = record(c);
    await waitFor(() => release !== undefined, 'the replay to start');
    server.replayOnConnect = false;
    server.current.disconnect(true);
    await waitFor(() => server.sockets.length === 2 && c.connected, 'the reconnect');
    let strayAck = false;
    // As on another node of a cluster, whose ack ids count from 0 too: the next request reuses the page's id.
    (server.nsp as unknown as { _ids: number })._ids = 0;
    server.current.emit('unrelated', { first: 'request on this connection' }, () => void (strayAck = true));
    release();
    await waitFor(() => seen.delivered.length === 1, 'the slow handler');
    await sleep(100);
    expect(strayAck).toBe(false);
    expect(server.batchAcks).toEqual([]);
  }, 10_000);

  it('reports a failing auth() and retries the connection', async () => {
    let calls = 0;
    const c = client({
      auth: () => {
        calls += 1;
        if (calls === 1) throw new Error('token refresh failed');
        return { token: 'ok' };
      },
    });
    const seen = record(c);
    await waitFor(() => c.connected, 'connected');
    expect(seen.errors).toEqual([expect.objectContaining({ message: 'auth() failed: token refresh failed' })]);
    expect(server.handshakes.map((h) => h.token)).toEqual(['ok']);
  }, 10_000);

  it('keeps retrying while the server is down and connects once it is back', async () => {
    const port = new URL(server.url).port;
    await server.stop();
    const c = client({ reconnect: { baseMs: 50, maxMs: 100 } });
    const seen = record(c);
    await waitFor(() => seen.errors.length >= 2, 'failed attempts');
    expect(c.connected).toBe(false);
    server = await TestServer.start(Number(port));
    await waitFor(() => c.connected, 'connected to the restarted server');
    expect(seen.connects).toBe(1);
  }, 10_000);

  it('does not connect before connect() when autoConnect is false', async () => {
    const c = client({ autoConnect: false });
    await sleep(100);
    expect(server.sockets).toHaveLength(0);
    c.connect();
    await waitFor(() => c.connected, 'connected');
    expect(c.socket.connected).toBe(true);
  }, 10_000);
});
