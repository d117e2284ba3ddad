import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import { ErrorCode, HANDSHAKE_FIELD, WireEvent, type ControlEnvelope } from '@reliable-socket/client/protocol';
import { identityRoom, RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { AuthenticatedUser, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { refusal, type NamespaceMiddleware } from '../auth/handshake-auth.middleware.js';
import { SessionRegistry, type ConflictMode, type HeldSession } from './session.registry.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';

/** Inter-node event (adapter `serverSideEmit`): sessions of `userId` older than `fence` must go. */
export const EVICT_SERVER_EVENT = 'rs:evict';

interface EvictNotice {
  userId: string;
  fence: number;
}

const SESSION_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** The client instance id the SDK sends (`auth.rs.session`); a client without one is a new instance every time. */
function clientInstanceId(socket: Socket): string {
  const sent = ((socket.handshake.auth as Record<string, unknown> | undefined)?.[HANDSHAKE_FIELD] as { session?: unknown } | undefined)?.session;
  return typeof sent === 'string' && SESSION_ID_PATTERN.test(sent) ? sent : `socket:${socket.id}`;
}

/** The session a socket of a unique namespace was granted in its handshake. */
function sessionOf(socket: Socket): HeldSession {
  return { namespace: socket.nsp.name, userId: (socket.data.user as AuthenticatedUser).id, fence: socket.data.sessionFence as number, sessionId: clientInstanceId(socket) };
}

/**
 * Enforces `@UniquePerNamespace()`: the decision is taken in the handshake, atomically in the
 * {@link SessionRegistry}; the winner then evicts older sessions on every node by fence. Evictions
 * are also re-checked by heartbeat, so a lost inter-node message cannot leave two sessions alive.
 */
@Injectable()
export class SessionUniqueness implements OnApplicationShutdown {
  private readonly logger = new Logger('ReliableSocket');
  /** Sockets holding their session; the session itself is derived from the socket, so nothing more is kept per socket. */
  private readonly held = new Set<Socket>();
  /** Sockets whose claim replaced a live session, until they have evicted it. */
  private readonly replacing = new WeakSet<Socket>();
  private readonly listening = new WeakSet<Namespace>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    @Inject(SessionRegistry) private readonly registry: SessionRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly metrics: ReliableMetrics,
  ) {
    this.heartbeat = setInterval(() => void this.refreshHeld(), Math.max(1, Math.floor(options.presence.ttlMs / 3)));
    this.heartbeat.unref();
  }

  /** Runs after authentication: grants the session or refuses the handshake with SESSION_EXISTS. */
  middleware(mode: ConflictMode): NamespaceMiddleware {
    return (socket, next) => {
      const candidate = { namespace: socket.nsp.name, userId: (socket.data.user as AuthenticatedUser).id, sessionId: clientInstanceId(socket) };
      this.registry.claim(candidate, mode, this.options.presence.ttlMs).then(
        (claim) => {
          if (!claim.granted) return next(refusal(ErrorCode.SessionExists, 'another client holds this user\'s session in this namespace'));
          socket.data.sessionFence = claim.fence;
          // The client left while its claim was under way (a page closed mid-reconnect): Socket.IO will
          // drop the socket without a disconnect event, so give the session back at once; the session it
          // replaced is then taken back on its next refresh instead of being evicted by a ghost.
          if (socket.conn.readyState !== 'open') {
            this.release(socket);
            return next(refusal(ErrorCode.Unavailable, 'the client went away during the handshake'));
          }
          if (claim.replaced) this.replacing.add(socket);
          next();
        },
        (error: Error) => {
          this.logger.warn(`session claim failed: ${error.message}`);
          next(refusal(ErrorCode.Unavailable, 'session store unavailable'));
        },
      );
    };
  }

  /** Runs once the socket is connected and in its identity room. */
  async onConnection(socket: Socket): Promise<void> {
    this.listen(socket.nsp);
    const session = sessionOf(socket);
    this.held.add(socket);
    // A newer session may have been granted between this handshake and now: its eviction notice could
    // have gone out before this socket joined its identity room, so check before evicting others.
    if (!(await this.registry.holds(session))) return this.evict(socket);
    // The first session of the user has nobody to evict: no need to tell every node. Nor has a socket
    // that is already gone: its release ends its claim, and the older session takes it back.
    if (!this.replacing.delete(socket) || socket.disconnected) return;
    this.evictOlder(socket.nsp, session.userId, session.fence);
    socket.nsp.serverSideEmit(EVICT_SERVER_EVENT, { userId: session.userId, fence: session.fence } satisfies EvictNotice);
  }

  /** Called by the namespace binder when a socket disconnects; releases its session, if it was granted one (evicted or not). */
  release(socket: Socket): void {
    if (socket.data.sessionFence === undefined) return; // not in a `@UniquePerNamespace()` namespace
    this.held.delete(socket);
    this.registry.release(sessionOf(socket)).catch((error: Error) => this.logger.warn(`session release failed: ${error.message}`));
  }

  /** After the graceful drain, so sessions of clients still connected during it stay renewed. */
  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
  }

  private listen(namespace: Namespace): void {
    if (this.listening.has(namespace)) return;
    this.listening.add(namespace);
    namespace.on(EVICT_SERVER_EVENT, (notice: EvictNotice) => {
      if (typeof notice?.userId === 'string' && Number.isSafeInteger(notice.fence)) this.evictOlder(namespace, notice.userId, notice.fence);
    });
  }

  private evictOlder(namespace: Namespace, userId: string, fence: number): void {
    for (const socketId of namespace.adapter.rooms.get(identityRoom(userId)) ?? []) {
      const socket = namespace.sockets.get(socketId);
      if (socket && this.held.has(socket) && sessionOf(socket).fence < fence) this.evict(socket);
    }
  }

  private evict(socket: Socket): void {
    this.held.delete(socket);
    if (socket.disconnected) return;
    this.metrics.sessionReplaced(socket.nsp.name);
    const control: ControlEnvelope = { type: 'replaced', reason: ErrorCode.SessionReplaced };
    socket.emit(WireEvent.Control, control);
    socket.disconnect(true);
  }

  private async refreshHeld(): Promise<void> {
    const sockets = [...this.held];
    if (sockets.length === 0) return;
    try {
      const stillHeld = await this.registry.refresh(sockets.map(sessionOf), this.options.presence.ttlMs);
      sockets.forEach((socket, i) => stillHeld[i] || this.evict(socket));
    } catch (error) {
      this.logger.warn(`session refresh failed: ${(error as Error).message}`);
    }
  }
}
