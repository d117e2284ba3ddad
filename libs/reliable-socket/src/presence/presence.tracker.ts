import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { AuthenticatedUser, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { StreamStore } from '../store/stream.store.js';
import { PresenceService } from './presence.service.js';
import { PresenceStore, type PresenceConnection } from './presence.store.js';
import { RepeatingTask } from './repeating-task.js';
import { RoomPresenceRelay } from './room-presence.relay.js';
import { addSocketListeners } from '../io/socket-listeners.js';

/** How long shutdown waits for the last disconnects to reach the store before the backend closes. */
const SHUTDOWN_FLUSH_MS = 2_000;

function connectionOf(socket: Socket): PresenceConnection {
  return { namespace: socket.nsp.name, userId: (socket.data.user as AuthenticatedUser).id, connectionId: socket.id };
}

/**
 * Records this node's connections in the presence store: a connect per authenticated socket, a
 * disconnect when it goes, and a heartbeat renewing all of them every third of the TTL, so the
 * connections of a node that dies expire within the TTL. Every node also sweeps the namespaces it
 * serves, every half TTL (jittered, so nodes do not sweep in lockstep), which publishes a dead node's
 * leaves. Room presence requests and the relay of changes to followers are in {@link RoomPresenceRelay}.
 */
@Injectable()
export class PresenceTracker implements OnApplicationShutdown {
  private readonly logger = new Logger('ReliableSocket:Presence');
  private readonly ttlMs: number;
  /** This node's connections, all renewed by each heartbeat (their records are derived when needed: nothing kept per socket). */
  private readonly connections = new Set<Socket>();
  /** Connects still in flight, so a disconnect is recorded after them (only while they are). */
  private readonly connecting = new Map<Socket, Promise<void>>();
  /** Every namespace a tracked socket came from: those this node sweeps. */
  private readonly namespaces = new Set<string>();
  /** Store calls not settled yet, awaited at shutdown so the last disconnects are recorded. */
  private readonly pending = new Set<Promise<unknown>>();
  private readonly relay: RoomPresenceRelay;
  private readonly heartbeat: RepeatingTask;
  private readonly sweeper: RepeatingTask;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(PresenceStore) private readonly store: PresenceStore,
    @Inject(StreamStore) streams: StreamStore,
    presence: PresenceService,
    @Inject(RESOLVED_OPTIONS) options: ResolvedReliableSocketOptions,
  ) {
    const { ttlMs, canSubscribe } = options.presence;
    this.ttlMs = ttlMs;
    this.relay = new RoomPresenceRelay({ streams, presence, canSubscribe, logger: this.logger });
    this.unsubscribe = store.onChange((event) => this.relay.relay(event));
    this.heartbeat = new RepeatingTask(() => this.renew(), () => ttlMs / 3, this.warn('heartbeat'));
    // Every quarter to half TTL: a dead node's leaves are published at most TTL + TTL / 2 after its last heartbeat.
    this.sweeper = new RepeatingTask(() => this.sweep(), () => (ttlMs / 2) * (0.5 + Math.random() / 2), this.warn('sweep'));
  }

  /** Called by the namespace binder for every authenticated socket, as it connects. */
  track(socket: Socket): void {
    if (!socket.connected) return;
    const connection = connectionOf(socket);
    this.connections.add(socket);
    this.namespaces.add(connection.namespace);
    this.heartbeat.start();
    this.sweeper.start();
    addSocketListeners(socket, this.relay.listeners);
    // A failed connect is not retried here: the next heartbeat records any connection the store lacks.
    const connected = this.settle(this.store.connect(connection, this.ttlMs), `connect of ${connection.userId}`);
    this.connecting.set(socket, connected);
    void connected.then(() => this.connecting.delete(socket));
  }

  /** Called by the namespace binder when a socket disconnects (whether or not it was tracked). */
  untrack(socket: Socket): void {
    if (!this.connections.delete(socket)) return;
    this.relay.detach(socket);
    const connection = connectionOf(socket);
    // After the connect, even if it is still in flight: otherwise the connect would land last and
    // leave a ghost connection until it expired.
    const connected = this.connecting.get(socket);
    const disconnected = connected ? connected.then(() => this.store.disconnect(connection)) : this.store.disconnect(connection);
    void this.settle(disconnected, `disconnect of ${connection.userId}`);
  }

  /** Stops the timers; at application shutdown, after the graceful drain, so connections still draining stay renewed. */
  private stopTimers(): void {
    this.heartbeat.stop();
    this.sweeper.stop();
    this.unsubscribe();
  }

  /**
   * Nest closes the Socket.IO servers before this hook, so every socket has disconnected by now; their
   * disconnects are given a moment to reach the store before the module closes the backend. Without
   * that, this node's users would stay online until their connections expired.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopTimers();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
    });
    await Promise.race([Promise.all(this.pending), timeout]);
    clearTimeout(timer);
  }

  private async renew(): Promise<void> {
    if (this.connections.size > 0) await this.store.heartbeat([...this.connections].map(connectionOf), this.ttlMs);
  }

  private async sweep(): Promise<void> {
    await Promise.all([...this.namespaces].map((namespace) => this.store.sweep(namespace)));
  }

  /** Tracks a store call until it settles; resolves either way (a failure is logged). */
  private settle(call: Promise<unknown>, what: string): Promise<void> {
    const settled = call.then(() => undefined, this.warn(what));
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return settled;
  }

  private warn(what: string): (error: unknown) => void {
    return (error) => this.logger.warn(`presence ${what} failed: ${(error as Error)?.message ?? error}`);
  }
}
