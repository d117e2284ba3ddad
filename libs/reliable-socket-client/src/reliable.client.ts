import { io, type Socket } from 'socket.io-client';
import {
  ErrorCode, HANDSHAKE_FIELD, PROTOCOL_VERSION, WireEvent,
  type BatchEnvelope, type Cursor, type ErrorReply, type FetchRequest, type HandshakeState,
} from './protocol.js';
import { AckBatcher } from './delivery/ack.batcher.js';
import { isBatchEnvelope, isLiveEnvelope, isSyncedEnvelope } from './delivery/envelope.guards.js';
import { HandlerRegistry, type MessageHandler } from './delivery/handler.registry.js';
import type { FetchCallback, SequencerContext } from './delivery/sequencer.context.js';
import { StreamRouter } from './delivery/stream.router.js';
import type { LifecycleEvents } from './lifecycle/lifecycle.events.js';
import { TypedEmitter } from './lifecycle/lifecycle.emitter.js';
import { LivenessProbe, watchWakeUps } from './reconnect/liveness.probe.js';
import { RetryScheduler } from './reconnect/retry.scheduler.js';
import { resolveOptions, type ReliableClientOptions, type ResolvedClientOptions } from './reliable-client.options.js';
import { CursorStore } from './storage/cursor.store.js';
import { storageKeys } from './storage/storage.keys.js';

/** A fetch that gets no reply within this time is retried; generous, since a page may be large. */
const FETCH_TIMEOUT_MS = 10_000;

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * A Socket.IO client with guaranteed delivery: every message of the streams the server sends is
 * handled once per device, in order per stream, across reconnects and reloads. Positions (cursors)
 * are persisted after each handled message, sent in the handshake, and the server replays from them.
 *
 * @example
 * const client = new ReliableClient('http://localhost:3000/chat', { auth: () => ({ token }) });
 * client.on('message', async (data, { stream, offset }) => { await db.save(data); });
 * client.lifecycle.on('gap', (gap) => console.warn('lost for good', gap));
 * // later
 * await client.close();
 */
export class ReliableClient {
  /** Connection and delivery signals: `connected`, `disconnected`, `recovered`, `gap`, `error`. */
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

  /** Connects (once the stored cursors are loaded) and keeps reconnecting until {@link close}. */
  connect(): void {
    this.running = true;
    this.unwatchWakeUps ??= watchWakeUps(() => void this.probe());
    void this.loaded.then(() => this.open());
  }

  /** Stops for good: no reconnect, no timers. Handler work under way may finish; resolves once cursors are written. */
  async close(): Promise<void> {
    this.running = false;
    this.unwatchWakeUps?.();
    this.unwatchWakeUps = undefined;
    this.reconnects.cancel();
    this.router.cancelTimers();
    this.acks.flush();
    this.acks.stop();
    this.socket.disconnect();
    await this.cursorStore.flushed();
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
    });
    socket.on('disconnect', (reason) => {
      this.lifecycle.emit('disconnected', { reason });
      // Our own disconnects (close, restart) decide for themselves; every other one is retried,
      // including a server-side kick: the server may be restarting or rebalancing.
      if (reason !== 'io client disconnect') this.retry();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      this.lifecycle.emit('error', { code: error.data?.code, message: error.message, cause: error });
      this.retry();
    });
    socket.on(WireEvent.Message, (envelope: unknown) => {
      if (isLiveEnvelope(envelope)) void this.router.live(envelope);
      else this.malformed(WireEvent.Message);
    });
    socket.on(WireEvent.Batch, (envelope: unknown, ack?: (reply: { ok: true } | ErrorReply) => void) => {
      const connection = socket.id;
      // socket.io would send a late ack on the next connection, where its id means another request.
      const reply = (response: { ok: true } | ErrorReply): void => {
        if (typeof ack === 'function' && socket.connected && socket.id === connection) ack(response);
      };
      // The ack is the server's cue for the next replay page: only once this one is handled.
      if (isBatchEnvelope(envelope)) void this.router.batch(envelope).then(() => reply({ ok: true }));
      else reply(this.malformed(WireEvent.Batch));
    });
    socket.on(WireEvent.Synced, (envelope: unknown) => {
      if (isSyncedEnvelope(envelope)) void this.router.synced(envelope);
      else this.malformed(WireEvent.Synced);
    });
  }

  private sequencerContext(): SequencerContext {
    return {
      deliver: (stream, message) => this.handlers.dispatch(stream, message),
      commit: async (stream, cursor) => {
        await this.cursorStore.set(stream, cursor);
        this.acks.record(stream, cursor.offset);
      },
      fetch: (request, callback) => this.fetch(request, callback),
      isConnected: () => this.socket.connected,
      onGap: (gap) => this.lifecycle.emit('gap', gap),
      onError: (error) => this.lifecycle.emit('error', error),
      gapHoldMs: this.options.gapHoldMs,
      retry: this.options.reconnect,
    };
  }

  private fetch(request: FetchRequest, callback: FetchCallback): void {
    if (!this.socket.connected) return callback(new Error('not connected'));
    this.socket.timeout(FETCH_TIMEOUT_MS).emit(WireEvent.Fetch, request, (error: Error | null, reply: unknown) => {
      if (error) callback(error);
      else if (isBatchEnvelope(reply) || (typeof reply === 'object' && reply !== null && 'error' in reply)) callback(null, reply as BatchEnvelope | ErrorReply);
      else callback(new Error('malformed rs:fetch reply'));
    });
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

  private malformed(event: string): ErrorReply {
    const error = { code: ErrorCode.BadRequest, message: `malformed ${event} from the server, ignored` };
    this.lifecycle.emit('error', error);
    return { error };
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
