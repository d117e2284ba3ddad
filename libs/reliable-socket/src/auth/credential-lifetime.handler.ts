import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { ErrorCode, WireEvent, type ControlEnvelope, type ErrorReply, type SessionEnvelope } from '@reliable-socket/client/protocol';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { AuthenticatedUser, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { authenticateHandshake } from './user.authenticator.js';
import type { SocketListeners } from '../io/socket-listeners.js';

/** setTimeout's ceiling (~24.8 days); longer expiries are reached in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type ReauthReply = { ok: true; expiresAt?: number } | ErrorReply;

/**
 * Keeps a connection's credential honest: tells the client who it is and when its credential expires
 * (`rs:session`), ends the session with TOKEN_EXPIRED at `expiresAt`, and accepts a fresh credential
 * over the live connection (`rs:auth`) so a client can refresh without reconnecting.
 */
@Injectable()
export class CredentialLifetimeHandler {
  private readonly logger = new Logger('ReliableSocket');
  private readonly timers = new WeakMap<Socket, NodeJS.Timeout>();
  /** Registered on every socket by the namespace binder; shared, so nothing is allocated per socket. */
  readonly listeners: SocketListeners;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions) {
    // An alias: the listener's own `this` is the socket.
    const handler = this;
    this.listeners = {
      [WireEvent.Reauth](request: unknown, reply?: (response: ReauthReply) => void) {
        if (typeof reply === 'function') void handler.reauthenticate(this, request).then(reply);
      },
    };
  }

  /** Announces the session and schedules its expiry; `listeners` carry the rest. */
  attach(socket: Socket): void {
    this.announce(socket);
    this.schedule(socket);
  }

  /** Called by the namespace binder when the socket disconnects. */
  detach(socket: Socket): void {
    clearTimeout(this.timers.get(socket));
  }

  private announce(socket: Socket): void {
    const user = socket.data.user as AuthenticatedUser;
    const session: SessionEnvelope = { userId: user.id };
    if (user.expiresAt !== undefined) session.expiresAt = user.expiresAt;
    socket.emit(WireEvent.Session, session);
  }

  private schedule(socket: Socket): void {
    clearTimeout(this.timers.get(socket));
    const expiresAt = (socket.data.user as AuthenticatedUser).expiresAt;
    if (typeof expiresAt !== 'number') return;
    const remaining = expiresAt - Date.now();
    const timer = setTimeout(() => (remaining > MAX_TIMER_MS ? this.schedule(socket) : this.expire(socket)), Math.max(0, Math.min(remaining, MAX_TIMER_MS)));
    timer.unref();
    this.timers.set(socket, timer);
  }

  private expire(socket: Socket): void {
    if (socket.disconnected) return;
    const control: ControlEnvelope = { type: 'token_expired', reason: ErrorCode.TokenExpired };
    socket.emit(WireEvent.Control, control);
    socket.disconnect(true);
  }

  private async reauthenticate(socket: Socket, request: unknown): Promise<ReauthReply> {
    const auth = (request as { auth?: unknown } | undefined)?.auth;
    if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
      return { error: { code: ErrorCode.BadRequest, message: 'rs:auth expects { auth: object }' } };
    }
    let user: AuthenticatedUser;
    try {
      user = await authenticateHandshake(this.options, { ...socket.handshake, auth: auth as Record<string, unknown> }, socket.id, this.logger);
    } catch (error) {
      return { error: { code: ErrorCode.Unauthenticated, message: (error as Error).message } };
    }
    if (user.id !== (socket.data.user as AuthenticatedUser).id) {
      return { error: { code: ErrorCode.Forbidden, message: 'the new credential belongs to another user' } };
    }
    socket.data.user = user;
    this.schedule(socket);
    return user.expiresAt === undefined ? { ok: true } : { ok: true, expiresAt: user.expiresAt };
  }
}
