import { io, type Socket } from 'socket.io-client';
import { ErrorCode, HANDSHAKE_FIELD, PROTOCOL_VERSION, WireEvent, type Cursor, type HandshakeState } from './protocol.js';
import { AckBatcher } from './delivery/ack.batcher.js';
import { HandlerRegistry, type MessageHandler } from './delivery/handler.registry.js';
import { fetchRange, listenInbound } from './delivery/inbound.wire.js';
import type { SequencerContext } from './delivery/sequencer.context.js';
import { StreamRouter } from './delivery/stream.router.js';
import type { LifecycleEvents } from './lifecycle/lifecycle.events.js';
import { TypedEmitter } from './lifecycle/lifecycle.emitter.js';
import type { PendingMessage } from './outbox/outbox.store.js';
import { ReliableOutbox, type SendOptions } from './outbox/reliable.outbox.js';
import { randomId } from './outbox/random.id.js';
import { SocketSendTransport } from './outbox/socket.transport.js';
import type { PresenceApi } from './presence/presence.api.js';
import { PresenceTracker } from './presence/presence.tracker.js';
import { ConnectionSupervisor, type ConnectionState } from './reconnect/connection.supervisor.js';
import { LivenessProbe, watchWakeUps } from './reconnect/liveness.probe.js';
import { resolveOptions, type ReliableClientOptions, type ResolvedClientOptions } from './reliable-client.options.js';
import { evaluateAuth } from './session/auth.source.js';
import { listenControl } from './session/control.listener.js';
import type { SessionInfo } from './session/session-info.interface.js';
import { SessionTracker, type RefreshResult } from './session/session.tracker.js';
import { CursorStore } from './storage/cursor.store.js';
import { storageKeys } from './storage/storage.keys.js';

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * A Socket.IO client with guaranteed delivery: every message of the streams the server sends is
 * handled once per device, in order per stream, across reconnects and reloads. Positions (cursors)
 * are persisted after each handled message, sent in the handshake, and the server replays from them.
 * The other way, {@link send} stores messages in a persistent outbox and resends them until acked.
 *
 * @example
 * const client = new ReliableClient('http://localhost:3000/chat', { auth: () => ({ token }) });
 * client.on('message', async (data, { stream, offset }) => { await db.save(data); });
 * client.lifecycle.on('gap', (gap) => console.warn('lost for good', gap));
 * client.lifecycle.on('replaced', () => showBanner('Opened in another tab', () => client.connect()));
 * const saved = await client.send('note:save', { text: 'hi' });
 * const members = await client.presence.subscribe('lobby');
 * // later
 * await client.close();
 */
export class ReliableClient {
  /**
   * Connection, delivery and session signals: `connected`, `disconnected`, `recovered`, `gap`, `sent`,
   * `error`, `session`, `replaced`, `rejected`.
   */
  readonly lifecycle = new TypedEmitter<LifecycleEvents>();
  /** The underlying socket, for the application's own raw emits. Its connection is managed here. */
  readonly socket: Socket;
  /**
   * Identifies this client instance (sent as `auth.rs.session` on every connect), so that its own
   * reconnect takes over its lingering old connection instead of counting as another tab. Random per
   * instance and never stored: two tabs over one storage must not share it.
   */
  readonly sessionId = randomId();
  /** Who of a room's members is online; followed rooms are subscribed again after every reconnect. */
  readonly presence: PresenceApi;
  private readonly options: ResolvedClientOptions;
  private readonly handlers: HandlerRegistry;
  private readonly cursorStore: CursorStore;
  private readonly acks: AckBatcher;
  private readonly router: StreamRouter;
  private readonly supervisor: ConnectionSupervisor;
  private readonly liveness: LivenessProbe;
  private readonly outbox: ReliableOutbox;
  private readonly sessions: SessionTracker;
  private readonly presenceTracker: PresenceTracker;
  private readonly loaded: Promise<void>;
  private unwatchWakeUps: (() => void) | undefined;

  constructor(url: string, options: ReliableClientOptions = {}) {
    this.options = resolveOptions(url, options);
    const emitError = this.lifecycle.emit.bind(this.lifecycle, 'error');
    this.cursorStore = new CursorStore(this.options.storage, storageKeys(this.options.storageKey).cursors, (message, cause) => emitError({ message, cause }));
    this.handlers = new HandlerRegistry((cause, message, { stream, offset }) =>
      emitError({ message: `handler of "${message.event}" failed on ${stream}@${offset}: ${messageOf(cause)}`, stream, offset, cause }),
    );
    this.socket = io(url, {
      forceNew: true,
      transports: ['websocket'],
      ...this.options.socket,
      // The SDK owns the connection: each attempt must carry fresh cursors and a fresh auth.
      reconnection: false,
      autoConnect: false,
      auth: (cb) => void this.handshake().then(cb, (cause: unknown) => this.failHandshake(cause)),
    });
    this.acks = new AckBatcher({
      intervalMs: this.options.ackIntervalMs,
      isConnected: () => this.socket.connected,
      send: (envelope) => this.socket.emit(WireEvent.Ack, envelope),
    });
    this.router = new StreamRouter(this.sequencerContext(), (stream) => this.cursorStore.get(stream), (stream, count) =>
      this.lifecycle.emit('recovered', { stream, count }),
    );
    this.supervisor = new ConnectionSupervisor(this.socket, this.options.reconnect, this.lifecycle);
    this.liveness = new LivenessProbe(this.socket, this.options.probeTimeoutMs, () => this.supervisor.restart());
    this.outbox = new ReliableOutbox(this.options, new SocketSendTransport(this.socket), this.lifecycle);
    this.sessions = new SessionTracker(this.socket, this.options, this.lifecycle);
    this.presence = this.presenceTracker = new PresenceTracker(this.socket, this.lifecycle, this.options.requestTimeoutMs);
    this.listen();
    // Connecting only after the cursors are loaded also leaves time for `on()` calls right after construction.
    this.loaded = this.cursorStore.load();
    if (this.options.autoConnect) this.connect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * `idle`, `connecting`, `connected`, or `replaced`/`rejected` (stopped for another client of the user).
   *
   * @example
   * if (client.state === 'replaced') showBanner('Open in another tab. Use it here instead?');
   */
  get state(): ConnectionState {
    return this.supervisor.state;
  }

  /**
   * Set after lifecycle `replaced`: another client of the same user took the session, and this one
   * stays disconnected until `connect()` (which takes it back). Cleared by `connect()`.
   *
   * @example
   * client.lifecycle.on('replaced', () => console.log(client.replacedBy)); // { reason: 'SESSION_REPLACED' }
   */
  get replacedBy(): { reason: string } | undefined {
    const halted = this.supervisor.halted;
    return halted?.kind === 'replaced' ? { reason: halted.reason } : undefined;
  }

  /**
   * The session the server announced for the connection (`userId`, credential `expiresAt`), kept up to
   * date by `refreshAuth()`; undefined before the first.
   *
   * @example
   * client.lifecycle.on('session', () => render(client.session!.userId));
   */
  get session(): SessionInfo | undefined {
    return this.sessions.session;
  }

  /** Registers a handler of an application event; returns the function that removes it. */
  on<T = unknown>(event: string, handler: MessageHandler<T>): () => void {
    return this.handlers.on(event, handler);
  }

  off<T = unknown>(event: string, handler: MessageHandler<T>): void {
    this.handlers.off(event, handler);
  }

  /**
   * Sends `data` (as its JSON copy) to the server's `@Reliable()` handler of `event`, which runs once per
   * message id however often it is resent; resolves with its return value. The message is stored in the
   * outbox before it is emitted, and resent on every reconnect (other nodes, page reloads) until acked.
   * Rejects with a {@link ReliableSendError} (codes listed there): an error reply is final. **`TIMEOUT`**
   * (after `timeoutMs`, default the `sendTimeoutMs` option, else never) **does not stop delivery**: the
   * message stays queued and retried until acked or {@link cancel}led; lifecycle `sent`/`error` tell the end.
   *
   * @example
   * const { orderId } = await client.send<{ orderId: string }>('order:place', { sku: 'A1', qty: 2 });
   * client.send('note:save', note, { timeoutMs: 5000 }).catch((e) => e.code === 'TIMEOUT' && showQueued(e.id));
   */
  send<T = unknown>(event: string, data: unknown, options?: SendOptions): Promise<T> {
    return this.outbox.send<T>(event, data, options);
  }

  /** Messages sent but not acked yet, in send order, including those restored from storage after a reload. */
  pending(): Promise<PendingMessage[]> {
    return this.outbox.pending();
  }

  /**
   * Removes a message from the outbox: it is not resent, and its `send()` rejects with `CANCELLED`. An
   * attempt already emitted may still run on the server. Resolves false if the id is unknown or acked.
   */
  cancel(id: string): Promise<boolean> {
    return this.outbox.cancel(id);
  }

  /**
   * Sends a fresh credential over the live connection: `auth` is evaluated again and sent as `rs:auth`,
   * with no reconnect. Runs by itself before the credential expires when `auth` is a function (see the
   * `refreshLeadMs` option). Resolves with the new expiry, also found in {@link session}; rejects with a
   * `ReliableError`: the server's code (`UNAUTHENTICATED`, `FORBIDDEN` when the token is another
   * user's…), `UNAVAILABLE` (not connected), `TIMEOUT`, or `UNAUTHENTICATED` when `auth()` throws.
   *
   * @example
   * await client.refreshAuth(); // after the app obtained a new token
   */
  refreshAuth(): Promise<RefreshResult> {
    return this.sessions.refresh();
  }

  /**
   * Connects (once the stored cursors are loaded) and keeps reconnecting until {@link close}. After
   * lifecycle `replaced` or `rejected`, this is what resumes: it takes the session back from the other
   * client of the user (or is refused again while the server rejects a second one).
   */
  connect(): void {
    this.supervisor.start();
    this.outbox.reopen();
    this.unwatchWakeUps ??= watchWakeUps(() => void this.probe());
    void this.loaded.then(() => this.supervisor.open());
  }

  /**
   * Stops for good: no reconnect, no timers, no sending. Handler work under way may finish. Unacked
   * messages stay in the outbox (a later client over the same storage resends them); their `send()`
   * rejects with `UNAVAILABLE`. Resolves once cursors and outbox are written.
   */
  async close(): Promise<void> {
    this.unwatchWakeUps?.();
    this.unwatchWakeUps = undefined;
    this.router.cancelTimers();
    this.acks.flush();
    this.acks.stop();
    this.sessions.stop();
    this.presenceTracker.stop();
    this.supervisor.stop();
    await Promise.all([this.cursorStore.flushed(), this.outbox.close()]);
  }

  /** Round trip to the server. On failure the connection is presumed dead and re-established at once. */
  probe(): Promise<boolean> {
    return this.liveness.probe();
  }

  /** The current cursors by stream. */
  async cursors(): Promise<Record<string, Cursor>> {
    await this.loaded;
    return this.cursorStore.snapshot();
  }

  private listen(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.supervisor.connected();
      this.lifecycle.emit('connected', {});
      this.acks.flush();
      this.outbox.connected();
    });
    socket.on('disconnect', (reason) => {
      this.outbox.disconnected();
      this.lifecycle.emit('disconnected', { reason });
      // Our own disconnects (close, restart) decide for themselves; every other one is retried,
      // including a server-side kick: the server may be restarting or rebalancing.
      if (reason !== 'io client disconnect') this.supervisor.retry();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      const code = error.data?.code;
      this.lifecycle.emit('error', { code, message: error.message, cause: error });
      // Another tab holds the session: retrying would only be refused again, or take it by surprise.
      if (code === ErrorCode.SessionExists) this.supervisor.halt('rejected', code);
      else this.supervisor.retry();
    });
    listenInbound(socket, this.router, this.lifecycle);
    listenControl(socket, {
      // Stopped until `connect()`. The disconnect drops the refresh plan; presence subscriptions asked
      // for meanwhile wait for that `connect()` (or `close()`).
      replaced: (reason) => this.supervisor.halt('replaced', reason),
      // The server disconnects next; the reconnect re-evaluates `auth`, so a function yields a fresh token.
      tokenExpired: (reason) => this.lifecycle.emit('error', { code: ErrorCode.TokenExpired, message: `the credential expired (${reason}); reconnecting with a fresh auth` }),
      drain: (reconnectInMs) => this.supervisor.drain(reconnectInMs),
      kicked: (reason) => this.supervisor.halt('kicked', reason),
    }, this.lifecycle);
  }

  private sequencerContext(): SequencerContext {
    return {
      deliver: (stream, message) => this.handlers.dispatch(stream, message),
      commit: async (stream, cursor) => {
        await this.cursorStore.set(stream, cursor);
        this.acks.record(stream, cursor.offset);
      },
      fetch: (request, callback) => fetchRange(this.socket, request, callback),
      isConnected: () => this.socket.connected,
      onGap: (gap) => this.lifecycle.emit('gap', gap),
      onError: (error) => this.lifecycle.emit('error', error),
      gapHoldMs: this.options.gapHoldMs,
      retry: this.options.reconnect,
    };
  }

  private async handshake(): Promise<object> {
    const appAuth = await evaluateAuth(this.options.auth);
    const rs: HandshakeState = { v: PROTOCOL_VERSION, session: this.sessionId, cursors: this.cursorStore.snapshot() };
    return { ...appAuth, [HANDSHAKE_FIELD]: rs };
  }

  private failHandshake(cause: unknown): void {
    this.lifecycle.emit('error', { message: `auth() failed: ${messageOf(cause)}`, cause });
    this.socket.disconnect();
    this.supervisor.retry();
  }
}
