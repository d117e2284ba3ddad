import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { sleep } from '../../test/support/wait.js';

/** How a Redis drop looks to the node: connections reset and refused, or silently swallowed. */
export type RedisDropMode = 'refuse' | 'blackhole';

/**
 * The network path from one node to Redis: a real TCP proxy on a fixed port (the node's `REDIS_URL`),
 * which can drop Redis for a while in two ways:
 * - `refuse`: every connection is reset and the port refuses new ones (Redis down, or a firewall REJECT);
 * - `blackhole`: every byte is swallowed, both ways, and new connections hang (a dead path, a DROP rule).
 *   When the path comes back, its connections are reset, as a NAT or load balancer that lost its state
 *   does: the proxy cannot resume a byte stream with a hole in it.
 */
export class RedisLinkProxy {
  private constructor(
    private proxy: TcpProxy,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(redisUrl: string): Promise<RedisLinkProxy> {
    const url = new URL(redisUrl);
    const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) };
    return new RedisLinkProxy(await TcpProxy.start({ targetHost: target.host, targetPort: target.port }), target);
  }

  /** The `REDIS_URL` a node uses to reach Redis through this link (the same across drops). */
  get url(): string {
    return `redis://127.0.0.1:${this.proxy.port}`;
  }

  /** Drops Redis for `holdMs`, then restores the path. */
  async drop(holdMs: number, mode: RedisDropMode): Promise<void> {
    if (mode === 'blackhole') {
      this.proxy.blackhole(true);
      await sleep(holdMs);
      this.proxy.blackhole(false);
      this.proxy.closeAll();
      return;
    }
    const port = this.proxy.port;
    await this.proxy.stop(); // resets every connection; the port refuses from now on
    await sleep(holdMs);
    this.proxy = await TcpProxy.start({ listenPort: port, targetHost: this.target.host, targetPort: this.target.port });
  }

  stop(): Promise<void> {
    return this.proxy.stop();
  }
}
