import type { Socket } from 'socket.io-client';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import type { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import type { BackoffOptions } from './backoff.js';
import { RetryScheduler } from './retry.scheduler.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Where the client's connection stands:
 * - `idle`: not started (`autoConnect: false`) or closed;
 * - `connecting`: wants to be connected: connecting, or waiting to retry;
 * - `connected`;
 * - `replaced`: another client of the same user took the session; stays off until `connect()`;
 * - `rejected`: another client of the same user holds the session; stays off until `connect()`.
 * - `kicked`: the application disconnected this user; stays off until `connect()`.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'replaced' | 'rejected' | 'kicked';

/** Why the client stopped reconnecting by itself, and the code the server gave. */
export interface HaltReason {
  kind: 'replaced' | 'rejected' | 'kicked';
  reason: string;
}

/**
 * Decides when the socket (re)connects. socket.io's own reconnection is off, so that every attempt
 * carries fresh cursors and auth, and so that the server's session signals can stop it: a client that
 * lost its session to another tab must not take it back by itself, or the two would take turns forever.
 *
 * @example
 * const supervisor = new ConnectionSupervisor(socket, { baseMs: 250, maxMs: 10_000 }, lifecycle);
 * supervisor.start();
 * supervisor.open();
 * socket.on('connect_error', () => supervisor.retry());
 */
export class ConnectionSupervisor {
  private readonly reconnects: RetryScheduler;
  /** Between `start()` and `stop()`/`halt()`: the client wants to be connected. */
  private running = false;
  private stopped: HaltReason | undefined;
  /** A draining node asked for a pause: a wake-up must not cut it short. */
  private draining = false;

  constructor(
    private readonly socket: Socket,
    backoff: BackoffOptions,
    private readonly lifecycle: TypedEmitter<LifecycleEvents>,
  ) {
    this.reconnects = new RetryScheduler(backoff, () => this.open());
  }

  get state(): ConnectionState {
    if (this.stopped) return this.stopped.kind;
    if (this.socket.connected) return 'connected';
    return this.running ? 'connecting' : 'idle';
  }

  /** Set while replaced or rejected. */
  get halted(): HaltReason | undefined {
    return this.stopped && { ...this.stopped };
  }

  /** The client wants to be connected (possibly after a halt: an explicit connect overrides it). */
  start(): void {
    this.running = true;
    this.stopped = undefined;
  }

  /** No more reconnects, and the connection is dropped. */
  stop(): void {
    this.running = false;
    this.stopped = undefined;
    this.draining = false;
    this.reconnects.cancel();
    this.socket.disconnect();
  }

  /** Connects now, if wanted and not connected already. */
  open(): void {
    this.draining = false;
    if (this.running && !this.socket.connected) this.socket.connect();
  }

  /** A connection succeeded: the next failure starts from the smallest delay again. */
  connected(): void {
    this.reconnects.reset();
  }

  /** An attempt failed or the connection dropped: try again after the next backoff delay. */
  retry(): void {
    if (this.running) this.reconnects.schedule();
  }

  /** The connection is presumed dead: drop it and reconnect now, not after a backoff. */
  restart(): void {
    if (!this.running || this.draining) return;
    this.reconnects.cancel();
    this.reconnects.reset();
    this.socket.disconnect();
    this.open();
  }

  /**
   * Stops reconnecting until the next `start()`: the session belongs to another client of the user.
   * Lifecycle `replaced`/`rejected` is emitted before the disconnect, so listeners learn why first.
   */
  halt(kind: HaltReason['kind'], reason: string): void {
    if (!this.running) return;
    this.running = false;
    this.draining = false;
    this.stopped = { kind, reason };
    this.reconnects.cancel();
    this.lifecycle.emit(kind, { reason });
    this.socket.disconnect();
  }

  /**
   * The node is shutting down: leave it now and come back after `reconnectInMs` (the server already
   * spread these delays across its clients). A planned move, not a failure: the backoff starts over.
   */
  drain(reconnectInMs: number): void {
    if (!this.running) return;
    this.reconnects.reset();
    this.draining = true;
    this.socket.disconnect();
    // setTimeout fires at once beyond 2^31 - 1 ms; a nonsense delay means "now".
    this.reconnects.scheduleIn(reconnectInMs > 0 ? Math.min(reconnectInMs, MAX_TIMER_MS) : 0);
  }
}
