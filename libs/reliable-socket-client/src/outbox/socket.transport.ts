import type { Socket } from 'socket.io-client';
import type { SendTransport } from './outbox.sender.js';

/**
 * The {@link SendTransport} of a socket.io socket: `emitWithAck` under a per-attempt timeout. Such an
 * ack also rejects when the socket disconnects, which is how an attempt cut by a disconnect ends.
 */
export function socketTransport(socket: Socket): SendTransport {
  return {
    isConnected: () => socket.connected,
    emit: (event, envelope, ackTimeoutMs) => socket.timeout(ackTimeoutMs).emitWithAck(event, envelope),
  };
}
