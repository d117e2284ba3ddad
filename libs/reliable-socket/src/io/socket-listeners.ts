import type { Socket } from 'socket.io';

/**
 * A listener shared by every socket. Socket.IO sockets are Node EventEmitters, which call a listener
 * with the emitter as `this`, so one function per service serves all sockets: an idle connection then
 * costs a slot in its listener table per event instead of a closure (and its context) per event.
 */
/** `any`: wire arguments are untrusted and each handler validates its own. */
export type SocketListener = (this: Socket, ...args: any[]) => void;

/** Shared listeners by event name. */
export type SocketListeners = Readonly<Record<string, SocketListener>>;

export function addSocketListeners(socket: Socket, listeners: SocketListeners): void {
  for (const event of Object.keys(listeners)) socket.on(event, listeners[event]);
}
