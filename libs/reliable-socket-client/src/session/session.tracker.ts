import type { Socket } from 'socket.io-client';
import { ErrorCode, WireEvent, type ReauthRequest } from '../protocol.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import type { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import type { AuthSource } from '../reliable-client.options.js';
import { requestWithAck } from '../request/ack.request.js';
import { ReliableError } from '../request/reliable.error.js';
import { canRefresh, evaluateAuth } from './auth.source.js';
import { AuthRefreshTimer } from './auth-refresh.timer.js';
import type { SessionInfo } from './session-info.interface.js';
import { isSessionEnvelope, parseReauthReply } from './session.guards.js';

/** The client options the session tracker uses (see `ReliableClientOptions`). */
export interface SessionTrackerOptions {
  auth: AuthSource | undefined;
  /** Refresh this long before expiry (bounded, see `refreshDelayMs`). */
  refreshLeadMs: number;
  /** How long `rs:auth` waits for its reply. */
  requestTimeoutMs: number;
}

/** What `refreshAuth()` resolves with: the new credential's expiry, if it has one. */
export interface RefreshResult {
  expiresAt?: number;
}

/**
 * Keeps the session the server announces (`rs:session`) and the credential of the live connection
 * fresh: `refresh()` sends a re-evaluated `auth` as `rs:auth` (no reconnect, so nothing is replayed
 * or interrupted), and when the credential has an expiry and `auth` is a function, a refresh runs
 * automatically shortly before it. The plan is dropped on disconnect: the next connection's handshake
 * carries a fresh credential anyway, and its `rs:session` plans again.
 *
 * @example
 * const sessions = new SessionTracker(socket, { auth, refreshLeadMs: 30_000, requestTimeoutMs: 5000 }, lifecycle);
 * const { expiresAt } = await sessions.refresh();
 */
export class SessionTracker {
  private current: SessionInfo | undefined;
  private readonly timer: AuthRefreshTimer;
  private inFlight: Promise<RefreshResult> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: SessionTrackerOptions,
    private readonly lifecycle: TypedEmitter<LifecycleEvents>,
  ) {
    this.timer = new AuthRefreshTimer(options.refreshLeadMs, () => this.autoRefresh());
    socket.on(WireEvent.Session, (envelope: unknown) => this.announced(envelope));
    socket.on('disconnect', () => this.timer.cancel());
  }

  /** The last session the server announced (a copy); undefined before the first. */
  get session(): SessionInfo | undefined {
    return this.current && { ...this.current };
  }

  /** See `ReliableClient.refreshAuth`. Concurrent calls share one request. */
  refresh(): Promise<RefreshResult> {
    this.inFlight ??= this.reauth().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Drops the automatic refresh (the client is closing or stopped). */
  stop(): void {
    this.timer.cancel();
  }

  private announced(envelope: unknown): void {
    if (!isSessionEnvelope(envelope)) {
      this.lifecycle.emit('error', { code: ErrorCode.BadRequest, message: `malformed ${WireEvent.Session} from the server, ignored` });
      return;
    }
    this.update(envelope.userId, typeof envelope.expiresAt === 'number' ? envelope.expiresAt : undefined);
  }

  private update(userId: string, expiresAt: number | undefined): void {
    this.current = expiresAt === undefined ? { userId } : { userId, expiresAt };
    if (expiresAt === undefined || !canRefresh(this.options.auth)) this.timer.cancel();
    else this.timer.schedule(expiresAt);
    this.lifecycle.emit('session', { ...this.current });
  }

  private async reauth(): Promise<RefreshResult> {
    // Checked before calling auth(): no point minting a token that cannot be sent.
    if (!this.socket.connected) throw new ReliableError(ErrorCode.Unavailable, `not connected: ${WireEvent.Reauth} was not sent`);
    let auth: Record<string, unknown>;
    try {
      auth = await evaluateAuth(this.options.auth);
    } catch (cause) {
      throw new ReliableError(ErrorCode.Unauthenticated, `auth() failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    const request: ReauthRequest = { auth };
    const { expiresAt } = await requestWithAck(this.socket, WireEvent.Reauth, request, this.options.requestTimeoutMs, parseReauthReply);
    if (this.current) this.update(this.current.userId, expiresAt);
    return expiresAt === undefined ? {} : { expiresAt };
  }

  /** Runs from the timer, with no caller to reject: a failure is reported. */
  private autoRefresh(): void {
    this.refresh().catch((error: unknown) => {
      const code = error instanceof ReliableError ? error.code : undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.lifecycle.emit('error', { code, message: `automatic auth refresh failed: ${message}`, cause: error });
    });
  }
}
