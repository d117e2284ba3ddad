import type { Socket } from 'socket.io';

/** What Nest runs when a socket of one of its gateways disconnects (its `handleDisconnect` plumbing). */
export type DisconnectHook = (reason: string) => void;

/**
 * Nest's per-gateway disconnect callbacks, kept per socket in a weak map and run by the one shared
 * `disconnect` listener every socket already has (see NamespaceBinder). A listener of their own would
 * turn the socket's `disconnect` slot into an array, which grows (and stays grown) as soon as a
 * short-lived listener such as an ack wait is added next to them.
 */
export class DisconnectHooks {
  private readonly hooks = new WeakMap<Socket, DisconnectHook | DisconnectHook[]>();

  add(socket: Socket, hook: DisconnectHook): void {
    const existing = this.hooks.get(socket);
    if (!existing) this.hooks.set(socket, hook);
    else if (Array.isArray(existing)) existing.push(hook);
    else this.hooks.set(socket, [existing, hook]);
  }

  /** Runs the hooks of `socket` once, in the order they were added (as listeners would run). */
  run(socket: Socket, reason: string): void {
    const hooks = this.hooks.get(socket);
    if (!hooks) return;
    this.hooks.delete(socket);
    if (!Array.isArray(hooks)) hooks(reason);
    else for (const hook of hooks) hook(reason);
  }
}
