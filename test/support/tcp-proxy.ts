import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Options for {@link TcpProxy.start}. */
export interface TcpProxyOptions {
  /** Backend port that proxied connections are forwarded to. */
  targetPort: number;
  /** Backend host (default `127.0.0.1`). */
  targetHost?: string;
  /** Port the proxy listens on, on 127.0.0.1 (default: a free port chosen by the kernel). */
  listenPort?: number;
}

/** One accepted client connection and, unless it was accepted while blackholed, its backend connection. */
interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket | undefined;
  /** A blackholed connection forwards nothing, ever again, and never propagates FIN or RST. */
  dead: boolean;
}

const STOP_TIMEOUT_MS = 5000;

/**
 * A real TCP proxy on 127.0.0.1 that tests control, to inject network faults between a client and a
 * server without stubbing sockets: abrupt resets ({@link closeAll}), silent packet loss
 * ({@link blackhole}) and failover to another backend ({@link retarget}).
 *
 * Bytes are forwarded as they arrive, with backpressure and Nagle disabled, and half-closes (FIN) and
 * resets (RST) are propagated to the other side, so through a healthy proxy an HTTP or WebSocket peer
 * behaves as if directly connected.
 *
 * @example
 * const proxy = await TcpProxy.start({ targetPort: app.port });
 * const client = io(proxy.url, { transports: ['websocket'] });
 * proxy.closeAll();          // both peers see a connection reset
 * await proxy.stop();
 */
export class TcpProxy {
  private readonly connectionSet = new Set<ProxiedConnection>();
  private targetHost: string;
  private targetPort: number;
  private blackholed = false;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    /** Port the proxy listens on. */
    readonly port: number,
    target: { host: string; port: number },
  ) {
    this.targetHost = target.host;
    this.targetPort = target.port;
  }

  /** Starts listening on 127.0.0.1 and resolves once the proxy accepts connections. */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: options.listenPort ?? 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const proxy = new TcpProxy(server, port, { host: options.targetHost ?? '127.0.0.1', port: options.targetPort });
    server.on('connection', (client) => proxy.accept(client));
    // A listener error after start (very unusual) must not crash the test process.
    server.on('error', () => undefined);
    return proxy;
  }

  /** `http://127.0.0.1:<port>`, for HTTP and Socket.IO clients. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Number of proxied connections of which at least one side is still open (blackholed ones included). */
  get connections(): number {
    return this.connectionSet.size;
  }

  /** Whether new connections are currently blackholed. */
  get isBlackholed(): boolean {
    return this.blackholed;
  }

  /** Where new connections are forwarded to. */
  get target(): { host: string; port: number } {
    return { host: this.targetHost, port: this.targetPort };
  }

  /**
   * Abruptly terminates every proxied connection, blackholed ones included: both the client socket and
   * the backend socket are reset (TCP RST via `resetAndDestroy`), so both peers see `ECONNRESET` or an
   * immediate close, as when a load balancer or NAT drops its state. New connections are still accepted.
   * The sockets finish closing asynchronously; wait for {@link connections} to reach 0 if that matters.
   */
  closeAll(): void {
    for (const connection of this.connectionSet) {
      connection.dead = true;
      reset(connection.client);
      reset(connection.upstream);
    }
  }

  /**
   * Simulates silent packet loss (a dead network path) without closing anything.
   *
   * `blackhole(true)`:
   * - every existing connection stops forwarding in both directions: bytes that arrive are read and
   *   discarded, and a FIN or RST from one peer is not passed on to the other. Both peers keep an open
   *   socket and only notice through their own heartbeats / timeouts. Bytes already handed to the kernel
   *   before the call may still be delivered.
   * - new connections are accepted (the TCP handshake with the proxy succeeds) but no backend connection
   *   is opened; whatever the client sends is discarded and it never gets a byte back.
   *
   * `blackhole(false)` restores forwarding for connections accepted from then on. Connections that were
   * blackholed stay dead forever (a byte stream with a gap in it cannot be resumed meaningfully): they
   * keep discarding until their peers close them, or until {@link closeAll} / {@link stop}. When a peer
   * closes its side of a dead connection, the proxy closes only that side.
   *
   * Tip: a server that closed a WebSocket over a blackholed connection waits for a close frame that never
   * comes (the `ws` library gives up after 30s), and closing its HTTP server waits for that. Call
   * {@link closeAll} or {@link stop} before shutting the server down.
   */
  blackhole(on = true): void {
    this.blackholed = on;
    if (!on) return;
    for (const connection of this.connectionSet) {
      connection.dead = true;
      // Sources paused by backpressure must flow again so that their bytes are discarded.
      connection.client.resume();
      connection.upstream?.resume();
    }
  }

  /** Forwards connections accepted from now on to another backend. Existing connections are untouched. */
  retarget(port: number, host = this.targetHost): void {
    this.targetPort = port;
    this.targetHost = host;
  }

  /** Stops listening, resets every connection and resolves once the listener is closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`TcpProxy on port ${this.port} did not close within ${STOP_TIMEOUT_MS}ms`)),
        STOP_TIMEOUT_MS,
      );
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.closeAll();
    });
    return this.stopping;
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    if (this.blackholed) {
      const connection: ProxiedConnection = { client, upstream: undefined, dead: true };
      this.track(connection);
      this.forward(connection, client, undefined);
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true, noDelay: true });
    const connection: ProxiedConnection = { client, upstream, dead: false };
    this.track(connection);
    this.forward(connection, client, upstream);
    this.forward(connection, upstream, client);
  }

  private track(connection: ProxiedConnection): void {
    this.connectionSet.add(connection);
    const forgetWhenClosed = (): void => {
      if (connection.client.closed && (connection.upstream?.closed ?? true)) this.connectionSet.delete(connection);
    };
    connection.client.once('close', forgetWhenClosed);
    connection.upstream?.once('close', forgetWhenClosed);
  }

  /** Wires one direction, `from` → `to`, of a connection (for a dead connection: `to` may be absent). */
  private forward(connection: ProxiedConnection, from: Socket, to: Socket | undefined): void {
    // Errors are followed by 'close'; without a listener they would crash the test process.
    from.on('error', () => undefined);
    from.on('data', (chunk: Buffer) => {
      if (connection.dead || !to || to.destroyed || to.writableEnded) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.on('end', () => {
      if (connection.dead || !to) from.destroy();
      else to.end();
    });
    from.on('close', (hadError: boolean) => {
      if (connection.dead || !to) return;
      // A reset on one side becomes a reset on the other; a clean close has already sent FIN via 'end'.
      if (hadError) reset(to);
      else if (!to.writableEnded) to.end();
      // `to` may be paused waiting for a 'drain' of `from` that will never come.
      to.resume();
    });
  }
}

/** Closes a socket with a TCP RST where possible (plain destroy otherwise). */
function reset(socket: Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
