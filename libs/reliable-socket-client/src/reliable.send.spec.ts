import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { WireEvent, type SendBatchItem, type SendEnvelope, type SendReply } from './protocol.js';
import { ReliableClient } from './reliable.client.js';
import type { ReliableClientOptions } from './reliable-client.options.js';
import { MemoryStorage } from './storage/memory.storage.js';

const EVENT = 'op';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the server does with one received envelope, before running the handler. */
type Decision = 'handle' | 'ignore' | 'drop-before-handler' | 'drop-after-handler';

/**
 * Plays a `@Reliable()` handler of `op`: it runs once per message id (a duplicate waits for, and gets,
 * the first attempt's reply) and replies `{ ok: true, result: { n, id } }`, or an error for `n < 0`.
 * `decide` can lose attempts and connections at chosen points.
 */
class DedupeServer {
  readonly runs = new Map<string, number>();
  readonly received: SendEnvelope[] = [];
  /** First-seen order of the ids, to check that they arrive in seq order. */
  readonly firstSeen: SendEnvelope[] = [];
  readonly sockets: ServerSocket[] = [];
  private readonly replies = new Map<string, Promise<SendReply>>();
  /** Attempts received on a connection and not acked yet, by connection: the client's window as seen here. */
  maxOutstanding = 0;
  /** Messages per `rs:send` packet received, in order. */
  readonly sendPackets: number[] = [];
  handlerDelayMs = 0;
  acking = true;
  decide: (envelope: SendEnvelope, receipt: number) => Decision = () => 'handle';
  private constructor(private readonly http: HttpServer, private readonly io: Server, readonly url: string) {
    io.of('/chat').on('connection', (socket) => this.onConnection(socket));
  }

  static async start(): Promise<DedupeServer> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new DedupeServer(http, io, `http://127.0.0.1:${port}/chat`);
  }

  private onConnection(socket: ServerSocket): void {
    this.sockets.push(socket);
    const outstanding = new Set<string>();
    // The SDK sends its messages as `rs:send` packets of [event, envelope] and gets replies as `rs:reply` [id, reply].
    socket.on(WireEvent.Send, (items: SendBatchItem[]) => {
      this.sendPackets.push(items.length);
      for (const [event, envelope] of items) {
        if (event === EVENT) void this.receive(socket, envelope, outstanding);
      }
    });
  }

  private async receive(socket: ServerSocket, envelope: SendEnvelope, outstanding: Set<string>): Promise<void> {
    this.received.push(envelope);
    if (!this.replies.has(envelope.id) && !this.firstSeen.some((e) => e.id === envelope.id)) this.firstSeen.push(envelope);
    const decision = this.decide(envelope, this.received.length);
    if (decision === 'ignore') return;
    if (decision === 'drop-before-handler') return void socket.disconnect(true);
    outstanding.add(envelope.id);
    this.maxOutstanding = Math.max(this.maxOutstanding, outstanding.size);
    let reply = this.replies.get(envelope.id);
    if (!reply) {
      reply = this.handle(envelope);
      this.replies.set(envelope.id, reply);
    }
    const answer = await reply;
    outstanding.delete(envelope.id);
    if (decision === 'drop-after-handler') return void socket.disconnect(true);
    if (this.acking) socket.emit(WireEvent.Reply, [[envelope.id, answer]]);
  }

  private async handle({ id, data }: SendEnvelope): Promise<SendReply> {
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    if (this.handlerDelayMs > 0) await sleep(this.handlerDelayMs);
    const { n } = data as { n: number };
    if (n < 0) return { ok: false, error: { code: 'NEGATIVE', message: `${n} < 0`, details: { n } } };
    return { ok: true, result: { n, id } };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}

describe('ReliableClient.send against a real Socket.IO server', () => {
  let server: DedupeServer;
  const clients: ReliableClient[] = [];

  const client = (options: ReliableClientOptions = {}): ReliableClient => {
    const created = new ReliableClient(server.url, { reconnect: { baseMs: 20, maxMs: 100 }, ...options });
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    server = await DedupeServer.start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  it('delivers 200 sends through repeated connection drops: each resolves with its own result, each handler runs once', async () => {
    let drops = 0;
    server.decide = (_envelope, receipt) => {
      if (receipt % 30 !== 0 || drops >= 6) return 'handle';
      drops += 1;
      // Half the drops lose the attempt, half lose only the ack after the handler ran.
      return drops % 2 === 0 ? 'drop-before-handler' : 'drop-after-handler';
    };
    const c = client({ maxInFlight: 16 });
    const disconnects: string[] = [];
    c.lifecycle.on('disconnected', ({ reason }) => disconnects.push(reason));
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => c.send<{ n: number; id: string }>(EVENT, { n })));

    expect(drops).toBe(6);
    expect(disconnects.filter((reason) => reason === 'io server disconnect')).toHaveLength(6);
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    expect(new Set(results.map((r) => r.id)).size).toBe(200);
    expect(server.runs.size).toBe(200);
    expect([...server.runs.values()].every((count) => count === 1)).toBe(true);
    expect(server.received.length).toBeGreaterThan(200); // resends happened, and were deduped
    // First sight of each message follows seq order: resends start from the oldest unacked.
    expect(server.firstSeen.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(server.received.map((e) => e.sid)).size).toBe(1);
    expect(await c.pending()).toEqual([]);
  }, 20_000);

  it('resends on the same connection when an attempt gets no ack within ackTimeoutMs', async () => {
    server.decide = (envelope) => (server.received.filter((e) => e.id === envelope.id).length === 1 ? 'ignore' : 'handle');
    const c = client({ ackTimeoutMs: 150 });
    const started = Date.now();
    const result = await c.send<{ n: number }>(EVENT, { n: 5 });
    expect(result.n).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.received).toHaveLength(2);
    expect(server.received[1]).toEqual(server.received[0]);
    expect(server.sockets).toHaveLength(1);
  }, 10_000);

  it('rejects with the error reply and does not retry it', async () => {
    const c = client();
    await expect(c.send(EVENT, { n: -1 })).rejects.toMatchObject({ name: 'ReliableSendError', code: 'NEGATIVE', message: '-1 < 0', details: { n: -1 } });
    await sleep(50);
    expect(server.received).toHaveLength(1);
    expect(await c.pending()).toEqual([]);
  }, 10_000);

  it('after a reload, pending() lists the unacked messages, which are resent and acked once', async () => {
    const storage = new MemoryStorage();
    server.acking = false; // the handler runs, but its acks are lost
    const first = client({ storage });
    const lost = [1, 2, 3].map((n) => first.send(EVENT, { n }).catch((error: { code: string }) => error.code));
    await waitFor(() => server.received.length === 3, 'the first attempts');
    await first.close();
    expect(await Promise.all(lost)).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);

    const second = client({ storage, autoConnect: false });
    const sent: Array<{ id: string; result: unknown }> = [];
    second.lifecycle.on('sent', ({ id, result }) => sent.push({ id, result }));
    const pending = await second.pending();
    expect(pending.map(({ event, data, seq }) => ({ event, data, seq }))).toEqual([1, 2, 3].map((n) => ({ event: EVENT, data: { n }, seq: n })));
    expect(pending.map((m) => m.id)).toEqual(server.received.map((e) => e.id));
    server.acking = true;
    second.connect();
    await waitFor(() => sent.length === 3, 'the acks of the restored messages');
    expect(sent).toEqual(pending.map(({ id, data }) => ({ id, result: { n: (data as { n: number }).n, id } })));
    expect(await second.pending()).toEqual([]);
    expect([...server.runs.values()]).toEqual([1, 1, 1]);
    // The new messages continue the sequence of the same sender.
    await second.send(EVENT, { n: 4 });
    expect(server.received.at(-1)).toMatchObject({ seq: 4, sid: server.received[0].sid });
  }, 10_000);

  it('keeps at most maxInFlight messages unacked at the server', async () => {
    server.handlerDelayMs = 15;
    const c = client({ maxInFlight: 4 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, n) => c.send<{ n: number }>(EVENT, { n })));
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(server.maxOutstanding).toBe(4);
    expect(server.received).toHaveLength(40);
  }, 10_000);

  it('sends the messages of one turn together, in one rs:send packet, in send order', async () => {
    const c = client({ maxInFlight: 32 });
    await c.send(EVENT, { n: 0 }); // connected, outbox loaded
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => c.send<{ n: number }>(EVENT, { n: n + 1 })));
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    expect(server.sendPackets).toEqual([1, 20]);
    expect(server.received.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  }, 10_000);
});
