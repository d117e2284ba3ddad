import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { ErrorCode, WireEvent, type ControlEnvelope } from '@reliable-socket/client/protocol';
import { refusal, type NamespaceMiddleware } from '../auth/handshake-auth.middleware.js';
import { ExactlyOnceRunner } from '../handlers/exactly-once.runner.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';

/** `reason` of the `drain` control message. */
export const DRAIN_REASON = 'SHUTTING_DOWN';
/** Time given past `drainMs` for the last scheduled disconnects to complete. */
const DEADLINE_MARGIN_MS = 500;
/** How often the drain looks for sockets still connected (including any that finished connecting late). */
const SWEEP_INTERVAL_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Graceful shutdown of one node. On `app.close()`, or SIGTERM with `app.enableShutdownHooks()`, before
 * Nest closes the Socket.IO servers:
 *
 * 1. new connections are refused: Engine.IO handshakes with HTTP 403, and a namespace connection on an
 *    existing Engine.IO session with `connect_error` `data.code === 'UNAVAILABLE'`;
 * 2. every local socket gets `rs:control { type: 'drain', reason: 'SHUTTING_DOWN', reconnectInMs }`, the
 *    delay drawn uniformly over `drainMs`, and is disconnected when that delay is up, so clients move to
 *    other nodes spread over `drainMs` instead of all at once (the SDK leaves at once and reconnects after
 *    the delay);
 * 3. it waits until no local socket is left (at most `drainMs` plus a margin, then disconnects the rest);
 * 4. it waits for `@Reliable()` handlers still running (at most `drainMs` more), so their replies are
 *    recorded and a client's retry on another node gets the reply instead of waiting for the lease.
 *
 * Shutdown therefore takes at most about 2 × `drainMs` (+ 0.5 s).
 */
@Injectable()
export class GracefulDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ReliableSocket:Drain');
  private drained: Promise<void> | undefined;

  /**
   * Namespace middleware the binder installs first on every namespace: refuses connections once draining,
   * before authentication or a session claim does any work for them.
   */
  readonly gate: NamespaceMiddleware = (_socket, next) =>
    this.draining ? next(refusal(ErrorCode.Unavailable, 'this node is shutting down; connect to another node')) : next();

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly namespaces: NamespaceRegistry,
    private readonly runner: ExactlyOnceRunner,
  ) {}

  /** True from the start of the drain: the node accepts no new connections. */
  get draining(): boolean {
    return this.drained !== undefined;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  /** Drains this node (see the class). Idempotent: later calls wait for the first one. */
  drain(): Promise<void> {
    this.drained ??= this.run();
    return this.drained;
  }

  private async run(): Promise<void> {
    const { drainMs } = this.options;
    const started = Date.now();
    this.refuseNewEngineSessions();
    const sockets = this.localSockets().length;
    if (sockets > 0) this.logger.log(`draining ${sockets} connection(s) over ${drainMs} ms`);
    await this.dismissAll(started, drainMs);
    if (!(await this.runner.whenIdle(drainMs))) {
      this.logger.warn(`${this.runner.running} @Reliable() handler(s) still running after ${drainMs} ms; their leases will expire and retries run them elsewhere`);
    }
  }

  /** Tells every local socket when to leave, disconnects each on time, and returns once none is left or at the deadline. */
  private async dismissAll(started: number, drainMs: number): Promise<void> {
    const deadline = started + drainMs + DEADLINE_MARGIN_MS;
    const timers = new Map<Socket, NodeJS.Timeout>();
    try {
      // Bounded: ends when no socket is left or at the deadline.
      for (;;) {
        const sockets = this.localSockets();
        if (sockets.length === 0) return;
        if (Date.now() >= deadline) {
          this.logger.warn(`${sockets.length} connection(s) still open after ${drainMs} ms; disconnecting them`);
          sockets.forEach((socket) => socket.disconnect(true));
          return;
        }
        // Sockets that finished connecting after the drain began get what is left of the window.
        const window = Math.max(0, started + drainMs - Date.now());
        for (const socket of sockets) {
          if (!timers.has(socket)) timers.set(socket, this.dismiss(socket, Math.floor(Math.random() * window)));
        }
        await sleep(SWEEP_INTERVAL_MS);
      }
    } finally {
      timers.forEach((timer) => clearTimeout(timer));
    }
  }

  private dismiss(socket: Socket, reconnectInMs: number): NodeJS.Timeout {
    const control: ControlEnvelope = { type: 'drain', reason: DRAIN_REASON, reconnectInMs };
    socket.emit(WireEvent.Control, control);
    return setTimeout(() => socket.disconnect(true), reconnectInMs);
  }

  /** Makes the Engine.IO servers refuse new sessions: a client then fails fast and retries another node. */
  private refuseNewEngineSessions(): void {
    const servers = new Set<Server>();
    for (const name of this.namespaces.names()) servers.add(this.namespaces.get(name).server);
    for (const server of servers) {
      server.engine.opts.allowRequest = (_request, callback) => callback('this node is shutting down', false);
    }
  }

  private localSockets(): Socket[] {
    const sockets: Socket[] = [];
    for (const name of this.namespaces.names()) {
      for (const socket of this.namespaces.get(name).sockets.values()) sockets.push(socket);
    }
    return sockets;
  }
}
