import { io, type Socket } from 'socket.io-client';
import { HANDSHAKE_FIELD, PROTOCOL_VERSION, WireEvent, type HandshakeState } from '@reliable-socket/client/protocol';
import { runBounded } from './emit-pool.js';
import { BENCH_NAMESPACE } from './payload.js';
import type { ServerHandle } from './server-handle.js';
import { withDeadline } from './timing.js';

/** One handshake may wait this long; thousands of them queue behind each other on two cores. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Thousands of idle connections, as cheap as the bench process can hold them: bare socket.io-client
 * sockets, since a full `ReliableClient` per connection would cost the bench more than the server under
 * test. With `speaksProtocol` (for a reliable server) each socket sends what the SDK sends in its
 * handshake (`auth.rs` with its own client instance id), acks every `rs:batch` page, and counts as up
 * at `rs:synced`, once the server's per-connection work (session claim, presence, sync) is done.
 * Opened `concurrency` at a time; rejects on the first socket that fails (the others are closed).
 */
export async function openIdleSockets(server: ServerHandle, userPrefix: string, count: number, concurrency: number, speaksProtocol: boolean): Promise<Socket[]> {
  const sockets: Socket[] = [];
  try {
    await runBounded(count, concurrency, async (index) => {
      const user = `${userPrefix}-${index}`;
      const rs: HandshakeState = { v: PROTOCOL_VERSION, session: `${user}-instance`, cursors: {} };
      const socket = io(`${server.url}${BENCH_NAMESPACE}`, {
        transports: ['websocket'], reconnection: false, forceNew: true,
        auth: speaksProtocol ? { user, [HANDSHAKE_FIELD]: rs } : { user },
      });
      sockets.push(socket);
      if (speaksProtocol) socket.on(WireEvent.Batch, (_batch: unknown, ack?: () => void) => ack?.());
      const up = new Promise<void>((resolve, reject) => {
        socket.once(speaksProtocol ? WireEvent.Synced : 'connect', () => resolve());
        socket.once('connect_error', reject);
        socket.once('disconnect', (reason) => reject(new Error(`disconnected before it was up: ${reason}`)));
      });
      await withDeadline(up, CONNECT_TIMEOUT_MS, `idle socket ${user}`);
    });
  } catch (error) {
    closeSockets(sockets);
    throw error;
  }
  return sockets;
}

export function closeSockets(sockets: Socket[]): void {
  for (const socket of sockets) socket.disconnect();
}
