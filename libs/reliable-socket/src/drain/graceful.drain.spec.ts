import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { ControlEnvelope } from '@reliable-socket/client/protocol';
import type { ExactlyOnceRunner } from '../handlers/exactly-once.runner.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { DRAIN_REASON, GracefulDrain } from './graceful.drain.js';
import { waitFor } from '../../../../test/support/wait.js';

const DRAIN_MS = 600;

function connect(url: string): Promise<Socket> {
  const socket = io(`${url}/chat`, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

describe('GracefulDrain', () => {
  let http: HttpServer;
  let server: Server;
  let namespace: Namespace;
  let url: string;
  let runner: { running: number; whenIdle: jest.Mock<(timeoutMs: number) => Promise<boolean>> };
  let drain: GracefulDrain;
  const clients: Socket[] = [];

  beforeEach(async () => {
    http = createServer();
    server = new Server(http);
    namespace = server.of('/chat');
    const registry = new NamespaceRegistry();
    registry.register(namespace);
    runner = { running: 0, whenIdle: jest.fn(async () => true) };
    drain = new GracefulDrain({ drainMs: DRAIN_MS } as ResolvedReliableSocketOptions, registry, runner as unknown as ExactlyOnceRunner);
    namespace.use(drain.gate);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await new Promise((resolve) => server.close(resolve));
  });

  it('tells each socket when to reconnect, spread over drainMs, and disconnects it then', async () => {
    const controls: ControlEnvelope[] = [];
    const leftAfter: number[] = [];
    for (let i = 0; i < 8; i += 1) clients.push(await connect(url));
    const started = Date.now();
    for (const client of clients) {
      client.on('rs:control', (control: ControlEnvelope) => controls.push(control));
      client.on('disconnect', (reason) => reason === 'io server disconnect' && leftAfter.push(Date.now() - started));
    }
    await drain.drain();
    const took = Date.now() - started;
    expect(controls).toHaveLength(8);
    for (const control of controls) {
      expect(control).toEqual({ type: 'drain', reason: DRAIN_REASON, reconnectInMs: expect.any(Number) });
      expect(control.reconnectInMs).toBeGreaterThanOrEqual(0);
      expect(control.reconnectInMs).toBeLessThan(DRAIN_MS);
    }
    expect(new Set(controls.map((control) => control.reconnectInMs)).size).toBeGreaterThan(1);
    // The server is done once its sockets are closed; each client hears its disconnect a moment later.
    await waitFor(() => leftAfter.length === 8, { timeoutMs: 2_000, message: 'every client heard its disconnect' });
    expect(leftAfter).toHaveLength(8);
    expect(namespace.sockets.size).toBe(0);
    expect(took).toBeLessThan(DRAIN_MS + 500);
  });

  it('finishes as soon as clients leave by themselves, then waits for running @Reliable handlers', async () => {
    const client = await connect(url);
    clients.push(client);
    client.on('rs:control', () => client.disconnect());
    const started = Date.now();
    await drain.drain();
    expect(Date.now() - started).toBeLessThan(DRAIN_MS);
    expect(runner.whenIdle).toHaveBeenCalledWith(DRAIN_MS);
  });

  it('refuses new connections once draining', async () => {
    const open = await connect(url);
    clients.push(open);
    const draining = drain.drain();
    expect(drain.draining).toBe(true);
    await expect(connect(url)).rejects.toThrow();
    const refused = await new Promise<Error & { data?: { code?: string } }>((resolve) => drain.gate({} as ServerSocket, (error) => resolve(error!)));
    expect(refused.data?.code).toBe('UNAVAILABLE');
    await draining;
  });

  it('is idempotent: a second call waits for the same drain', async () => {
    clients.push(await connect(url));
    const first = drain.drain();
    expect(drain.drain()).toBe(first);
    await first;
    expect(runner.whenIdle).toHaveBeenCalledTimes(1);
  });
});
