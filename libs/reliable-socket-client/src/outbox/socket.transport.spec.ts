import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { MAX_SEND_BATCH, WireEvent, type SendBatchItem, type SendEnvelope } from '../protocol.js';
import { MAX_BATCH_CHARS, SocketSendTransport } from './socket.transport.js';

const envelope = (n: number): SendEnvelope => ({ id: `m${n}`, sid: 'S', seq: n, data: { n } });

/** A real Socket.IO server that records the `rs:send` packets it receives; the test answers them by hand. */
class PacketServer {
  readonly packets: SendBatchItem[][] = [];
  socket?: ServerSocket;

  private constructor(private readonly http: HttpServer, private readonly io: Server, readonly url: string) {
    io.on('connection', (socket) => {
      this.socket = socket;
      socket.on(WireEvent.Send, (items: SendBatchItem[]) => this.packets.push(items));
    });
  }

  static async start(): Promise<PacketServer> {
    const http = createServer();
    const server = new Server(http, { transports: ['websocket'] });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return new PacketServer(http, server, `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  }

  reply(replies: unknown): void {
    this.socket!.emit(WireEvent.Reply, replies);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SocketSendTransport', () => {
  let server: PacketServer;
  let socket: Socket;
  let transport: SocketSendTransport;

  beforeEach(async () => {
    server = await PacketServer.start();
    socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    transport = new SocketSendTransport(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await waitFor(() => server.socket !== undefined, 'the server side of the connection');
  });

  afterEach(async () => {
    socket.close();
    await server.stop();
  });

  it('sends the attempts of one turn as one rs:send packet of [event, envelope], and settles each with the reply to its id', async () => {
    const replies = [1, 2, 3].map((n) => transport.emit(n === 2 ? 'other' : 'op', envelope(n), 5_000, 20));
    await waitFor(() => server.packets.length === 1, 'the packet');
    expect(server.packets[0]).toEqual([['op', envelope(1)], ['other', envelope(2)], ['op', envelope(3)]]);
    // In any order, several per packet; unknown ids and malformed items are ignored.
    server.reply([['m3', { ok: true, result: 3 }], ['nobody', { ok: true }], 'junk', ['m1', { ok: true, result: 1 }]]);
    server.reply('not an array');
    server.reply([['m2', { ok: false, error: { code: 'X', message: 'x' } }]]);
    expect(await Promise.all(replies)).toEqual([{ ok: true, result: 1 }, { ok: false, error: { code: 'X', message: 'x' } }, { ok: true, result: 3 }]);
  });

  it(`packs at most ${MAX_SEND_BATCH} messages per packet`, async () => {
    const count = MAX_SEND_BATCH + 6;
    for (let n = 1; n <= count; n += 1) void transport.emit('op', envelope(n), 5_000, 20).catch(() => undefined);
    await waitFor(() => server.packets.length === 2, 'two packets');
    expect(server.packets.map((packet) => packet.length)).toEqual([MAX_SEND_BATCH, 6]);
    expect(server.packets.flat().map(([, { seq }]) => seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });

  it(`starts a new packet before ${MAX_BATCH_CHARS} characters of messages; a larger message goes alone`, async () => {
    const half = MAX_BATCH_CHARS / 2;
    const sizes = [half, half, 10, MAX_BATCH_CHARS * 2, 10];
    sizes.forEach((size, i) => void transport.emit('op', envelope(i + 1), 5_000, size).catch(() => undefined));
    await waitFor(() => server.packets.length === 4, 'four packets');
    expect(server.packets.map((packet) => packet.map(([, { seq }]) => seq))).toEqual([[1, 2], [3], [4], [5]]);
  });

  it('fails an attempt without a reply after its ack timeout, and ignores the late reply', async () => {
    const started = Date.now();
    const late = transport.emit('op', envelope(1), 100, 20);
    await expect(late).rejects.toThrow('operation has timed out');
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    // The resend of the same id is a new attempt, and the first reply to the id settles it.
    const resend = transport.emit('op', envelope(1), 5_000, 20);
    server.reply([['m1', { ok: true, result: 'first' }]]);
    server.reply([['m1', { ok: true, result: 'second' }]]);
    expect(await resend).toEqual({ ok: true, result: 'first' });
  });

  it('fails the attempts under way when the socket disconnects, including those not sent yet, which socket.io never sends later', async () => {
    const sent = transport.emit('op', envelope(1), 5_000, 20);
    await waitFor(() => server.packets.length === 1, 'the first packet');
    const unsent = transport.emit('op', envelope(2), 5_000, 20);
    socket.disconnect();
    await expect(sent).rejects.toThrow('disconnected');
    await expect(unsent).rejects.toThrow('disconnected');
    expect(transport.isConnected()).toBe(false);

    server.socket = undefined;
    socket.connect();
    await waitFor(() => server.socket !== undefined, 'the new connection');
    const next = transport.emit('op', envelope(3), 5_000, 20);
    await waitFor(() => server.packets.length === 2, 'the packet on the new connection');
    expect(server.packets[1]).toEqual([['op', envelope(3)]]);
    server.reply([['m3', { ok: true }]]);
    expect(await next).toEqual({ ok: true });
  });
});
