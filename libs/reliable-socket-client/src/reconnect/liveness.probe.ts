import type { Socket } from 'socket.io-client';
import { WireEvent } from '../protocol.js';

/**
 * Checks that a socket is really alive by a round trip to the server. A socket can look connected for
 * a long time after the network died (a laptop waking up, a phone changing networks) until the ping
 * timeout fires; a probe finds out within `timeoutMs`.
 *
 * Concurrent calls share one round trip, so an `online` and a `visibilitychange` firing together do
 * not cause two reconnects.
 */
export class LivenessProbe {
  private inFlight: Promise<boolean> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    /** Called when the probe fails: the connection is presumed dead. */
    private readonly onDead: () => void,
  ) {}

  probe(): Promise<boolean> {
    this.inFlight ??= this.roundTrip().then((alive) => {
      this.inFlight = undefined;
      if (!alive) this.onDead();
      return alive;
    });
    return this.inFlight;
  }

  private async roundTrip(): Promise<boolean> {
    if (!this.socket.connected) return false;
    try {
      await this.socket.timeout(this.timeoutMs).emitWithAck(WireEvent.Probe, {});
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Calls `onWake` when a browser regains the network or the page becomes visible again: the moments a
 * connection is most likely to be silently dead. Does nothing outside browsers. Returns the function
 * that removes the listeners.
 */
export function watchWakeUps(onWake: () => void): () => void {
  const win = (globalThis as { window?: Pick<Window, 'addEventListener' | 'removeEventListener'> }).window;
  const doc = (globalThis as { document?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'> }).document;
  const onOnline = (): void => onWake();
  const onVisibility = (): void => {
    if (doc?.visibilityState === 'visible') onWake();
  };
  const canListen = (target: unknown): target is EventTarget => typeof (target as EventTarget | undefined)?.addEventListener === 'function';
  if (canListen(win)) win.addEventListener('online', onOnline);
  if (canListen(doc)) doc.addEventListener('visibilitychange', onVisibility);
  return () => {
    if (canListen(win)) win.removeEventListener('online', onOnline);
    if (canListen(doc)) doc.removeEventListener('visibilitychange', onVisibility);
  };
}
