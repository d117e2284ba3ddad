import type { Socket } from 'socket.io';

/**
 * Emits with an ack callback and settles on the ack, the socket's disconnection, or the timeout,
 * whichever comes first. Socket.IO's own `timeout().emitWithAck()` keeps waiting after a disconnect
 * (the server never fails pending acks), which would hold a replay and its timer for the full timeout.
 */
export function emitAwaitingAck(socket: Socket, event: string, payload: unknown, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) {
      reject(new Error('socket disconnected'));
      return;
    }
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      socket.off('disconnect', onDisconnect);
      outcome();
    };
    const onDisconnect = (): void => settle(() => reject(new Error('socket disconnected')));
    const timer = setTimeout(() => settle(() => reject(new Error(`no ack for ${event} within ${timeoutMs} ms`))), timeoutMs);
    socket.once('disconnect', onDisconnect);
    socket.emit(event, payload, (reply: unknown) => settle(() => resolve(reply)));
  });
}
