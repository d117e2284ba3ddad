import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { absoluteNow, handshakeUser, type BenchServer } from './bench-server.js';
import { BENCH_EVENT, BENCH_NAMESPACE, CAMPAIGN_EVENT, makeCampaignPayload, makePayload, plainUserRoom, WELCOME_EVENT } from './payload.js';
import type { BurstRequest } from './server-protocol.js';

/**
 * The baseline: a bare Socket.IO server (websocket only, default in-memory adapter), with the same
 * namespace and handshake shape as the reliable app, and no persistence of any kind.
 * `recovery` turns on Socket.IO's own connection state recovery (kept in this process's memory).
 */
export async function startPlainServer(recovery: boolean): Promise<BenchServer> {
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 120_000 } } : {}),
  });
  const namespace = io.of(BENCH_NAMESPACE);
  namespace.use((socket, next) => {
    try {
      socket.data.user = handshakeUser(socket.handshake.auth);
      next();
    } catch (error) {
      next(error as Error);
    }
  });
  namespace.on('connection', (socket) => {
    void socket.join(plainUserRoom(socket.data.user as string));
    // Recovery resumes after the last packet offset the client saw: give a new client one to start from.
    if (recovery && !socket.recovered) socket.emit(WELCOME_EVENT);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  const socketsOf = (user: string): Socket[] => [...namespace.sockets.values()].filter((socket) => socket.data.user === user);

  return {
    port: (http.address() as AddressInfo).port,
    async burst({ user, count, via }: BurstRequest) {
      if (via === 'socket') {
        const [socket] = socketsOf(user);
        if (!socket) throw new Error(`no socket of ${user} is connected`);
        for (let seq = 0; seq < count; seq += 1) socket.emit(BENCH_EVENT, makePayload(seq));
      } else {
        const room = namespace.to(plainUserRoom(user));
        for (let seq = 0; seq < count; seq += 1) room.emit(BENCH_EVENT, makePayload(seq));
      }
    },
    async campaign({ round }) {
      const payload = makeCampaignPayload(round);
      const startedAt = absoluteNow();
      namespace.emit(CAMPAIGN_EVENT, payload);
      return { startedAt, startReturnedAt: absoluteNow() };
    },
    socketCount: (user) => socketsOf(user).length,
    connectionCount: () => namespace.sockets.size,
    reliableHandlerRuns: () => 0,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
