import { io, type Socket } from 'socket.io-client';
import { HANDSHAKE_FIELD, PROTOCOL_VERSION, WireEvent, type Cursor, type HandshakeState } from './protocol.js';
import { AckBatcher } from './delivery/ack.batcher.js';
import { HandlerRegistry, type MessageHandler } from './delivery/handler.registry.js';
import { fetchRange, listenInbound } from './delivery/inbound.wire.js';
import type { SequencerContext } from './delivery/sequencer.context.js';
import { StreamRouter } from './delivery/stream.router.js';
import type { LifecycleEvents } from './lifecycle/lifecycle.events.js';
import { TypedEmitter } from './lifecycle/lifecycle.emitter.js';
import type { PendingMessage } from './outbox/outbox.store.js';
import { ReliableOutbox, type SendOptions } from './outbox/reliable.outbox.js';
import { socketTransport } from './outbox/socket.transport.js';
import { LivenessProbe, watchWakeUps } from './reconnect/liveness.probe.js';
import { RetryScheduler } from './reconnect/retry.scheduler.js';
import { resolveOptions, type ReliableClientOptions, type ResolvedClientOptions } from './reliable-client.options.js';
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
 * const saved = await client.send('note:save', { text: 'hi' });
 * // later
 * await client.close();
 */
export class ReliableClient {
  /** Connection and delivery signals: `connected`, `disconnected`, `recovered`, `gap`, `sent`, `error`. */
  readonly lifecycle = new TypedEmitter<LifecycleEvents>();
  /** The underlying socket, for the application's own raw emits. Its connection is managed here. */
  readonly socket: Socket;
  private readonly options: ResolvedClientOptions;
  private readonly handlers: HandlerRegistry;
  private readonly cursorStore: CursorStore;
  private readonly acks: AckBatcher;
  private readonly router: StreamRouter;
  private readonly reconnects: RetryScheduler;
  private readonly liveness: LivenessProbe;
  private readonly outbox: ReliableOutbox;
  private readonly loaded: Promise<void>;
  /** Between `connect()` and `close()`: the client wants to be connected. */
  private running = false;
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
    this.reconnects = new RetryScheduler(this.options.reconnect, () => this.open());
    this.liveness = new LivenessProbe(this.socket, this.options.probeTimeoutMs, () => this.restart());
    this.outbox = new ReliableOutbox(this.options, socketTransport(this.socket), this.lifecycle);
    this.listen();
    // Connecting only after the cursors are loaded also leaves time for `on()` calls right after construction.
    this.loaded = this.cursorStore.load();
    if (this.options.autoConnect) this.connect();
  }

  get connected(): boolean {
    return this.socket.connected;
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

  /** Connects (once the stored cursors are loaded) and keeps reconnecting until {@link close}. */
  connect(): void {
    this.running = true;
    this.outbox.reopen();
    this.unwatchWakeUps ??= watchWakeUps(() => void this.probe());
    void this.loaded.then(() => this.open());
  }

  /**
   * Stops for good: no reconnect, no timers, no sending. Handler work under way may finish. Unacked
   * messages stay in the outbox (a later client over the same storage resends them); their `send()`
   * rejects with `UNAVAILABLE`. Resolves once cursors and outbox are written.
   */
  async close(): Promise<void> {
    this.running = false;
    this.unwatchWakeUps?.();
    this.unwatchWakeUps = undefined;
    this.reconnects.cancel();
    this.router.cancelTimers();
    this.acks.flush();
    this.acks.stop();
    this.socket.disconnect();
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
      this.reconnects.reset();
      this.lifecycle.emit('connected', {});
      this.acks.flush();
      this.outbox.connected();
    });
    socket.on('disconnect', (reason) => {
      this.outbox.disconnected();
      this.lifecycle.emit('disconnected', { reason });
      // Our own disconnects (close, restart) decide for themselves; every other one is retried,
      // including a server-side kick: the server may be restarting or rebalancing.
      if (reason !== 'io client disconnect') this.retry();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      this.lifecycle.emit('error', { code: error.data?.code, message: error.message, cause: error });
      this.retry();
    });
    listenInbound(socket, this.router, this.lifecycle);
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
    const { auth } = this.options;
    const appAuth = typeof auth === 'function' ? await auth() : auth;
    const rs: HandshakeState = { v: PROTOCOL_VERSION, cursors: this.cursorStore.snapshot() };
    return { ...appAuth, [HANDSHAKE_FIELD]: rs };
  }

  private failHandshake(cause: unknown): void {
    this.lifecycle.emit('error', { message: `auth() failed: ${messageOf(cause)}`, cause });
    this.socket.disconnect();
    this.retry();
  }

  private open(): void {
    if (this.running && !this.socket.connected) this.socket.connect();
  }

  private retry(): void {
    if (this.running) this.reconnects.schedule();
  }

  /** A probe failed: drop the (presumed dead) connection and reconnect now, not after a backoff. */
  private restart(): void {
    if (!this.running) return;
    this.reconnects.cancel();
    this.reconnects.reset();
    this.socket.disconnect();
    this.open();
  }
}
