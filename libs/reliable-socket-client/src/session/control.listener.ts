import type { Socket } from 'socket.io-client';
import { ErrorCode, WireEvent } from '../protocol.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import type { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import { isControlEnvelope } from './session.guards.js';

/** What the client does on each server session signal. */
export interface ControlHandlers {
  /** Another client of the user took the session: stop, and do not come back by yourself. */
  replaced(reason: string): void;
  /** The credential expired; the server disconnects, and the reconnect re-authenticates. */
  tokenExpired(reason: string): void;
  /** The node is shutting down: leave now, come back after `reconnectInMs`. */
  drain(reconnectInMs: number): void;
  /** The application disconnected this user: stop, and do not come back by yourself. */
  kicked(reason: string): void;
}

/**
 * Routes `rs:control` signals of `socket` to `handlers`; malformed ones are reported as lifecycle
 * errors, unknown types (from a newer server) ignored.
 *
 * @example
 * listenControl(socket, { replaced: halt, tokenExpired: report, drain: (ms) => reconnectIn(ms) }, lifecycle);
 */
export function listenControl(socket: Socket, handlers: ControlHandlers, lifecycle: TypedEmitter<LifecycleEvents>): void {
  socket.on(WireEvent.Control, (envelope: unknown) => {
    if (!isControlEnvelope(envelope)) {
      lifecycle.emit('error', { code: ErrorCode.BadRequest, message: `malformed ${WireEvent.Control} from the server, ignored` });
      return;
    }
    switch (envelope.type) {
      case 'replaced':
        return handlers.replaced(envelope.reason || ErrorCode.SessionReplaced);
      case 'token_expired':
        return handlers.tokenExpired(envelope.reason || ErrorCode.TokenExpired);
      case 'drain':
        return handlers.drain(envelope.reconnectInMs ?? 0);
      case 'kicked':
        return handlers.kicked(envelope.reason);
    }
  });
}
