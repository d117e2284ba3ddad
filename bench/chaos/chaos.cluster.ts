import { AppProcess } from '../../test/support/app-process.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { sleep } from '../../test/support/wait.js';
import { RedisLinkProxy, type RedisDropMode } from './redis-link.proxy.js';

/** Short, so that a blackholed connection is noticed within two seconds. */
export const HEARTBEAT = { pingIntervalMs: 1_000, pingTimeoutMs: 1_000 };
/** How long a node that is stopped spreads its clients' reconnects over. */
const DRAIN_MS = 1_000;
/** A `@Reliable()` call cut short by a SIGKILL may run again after this lease. */
const RELIABLE_LEASE_MS = 2_000;
const JWT_SECRET = 'chaos-secret';
const NODE_START_TIMEOUT_MS = 30_000;

export interface ChaosClusterSettings {
  nodes: number;
  redisUrl: string;
  /** Unique per run: the run's keys never meet another run's. */
  keyPrefix: string;
  /** The built sample app (`sample-app/dist/main.js`) and the folder it runs in. */
  sampleEntry: string;
  cwd: string;
}

/**
 * N sample-app nodes on one Redis. Each node has a front proxy, through which its share of the clients
 * connects (a load balancer's target for it), and a {@link RedisLinkProxy} through which it reaches Redis.
 * While a node is down, its front proxy forwards new connections to the next node, so its clients
 * reconnect there; node faults must not overlap (the fault schedule runs them one at a time).
 */
export class ChaosCluster {
  private constructor(
    private readonly nodes: AppProcess[],
    private readonly fronts: TcpProxy[],
    private readonly links: RedisLinkProxy[],
  ) {}

  static async start(settings: ChaosClusterSettings): Promise<ChaosCluster> {
    const links = await Promise.all(Array.from({ length: settings.nodes }, () => RedisLinkProxy.start(settings.redisUrl)));
    const nodes: AppProcess[] = [];
    // One at a time: on two cores, parallel Nest boots only slow each other down past their timeout.
    for (const link of links) {
      nodes.push(await AppProcess.start({ entry: settings.sampleEntry, cwd: settings.cwd, timeoutMs: NODE_START_TIMEOUT_MS, env: nodeEnv(link.url, settings.keyPrefix) }));
    }
    const fronts = await Promise.all(nodes.map((node) => TcpProxy.start({ targetPort: node.port })));
    return new ChaosCluster(nodes, fronts, links);
  }

  get size(): number {
    return this.nodes.length;
  }

  /** Where clients of node `index` connect: its front proxy. */
  frontUrl(index: number): string {
    return this.fronts[index].url;
  }

  /** A running node's own URL, for `GET /dev/token`. */
  liveNodeUrl(): string {
    const node = this.nodes.find((candidate) => candidate.running);
    if (!node) throw new Error('no node is running');
    return node.url;
  }

  /** Resets every client connection through node `index`'s front proxy. */
  closeTransports(index: number): void {
    this.fronts[index].closeAll();
  }

  /** Node `index`'s front proxy swallows every byte for `holdMs`; its dead connections are reset after. */
  async blackholeTransports(index: number, holdMs: number): Promise<void> {
    this.fronts[index].blackhole(true);
    await sleep(holdMs);
    this.fronts[index].blackhole(false);
    // A server whose WebSocket died in the hole would otherwise wait 30 s for its close frame.
    this.fronts[index].closeAll();
  }

  /** SIGKILLs node `index`, keeps it down for `downMs` (its clients go to the next node), restarts it. */
  async killNode(index: number, downMs: number): Promise<void> {
    this.divert(index);
    await this.nodes[index].kill();
    await sleep(downMs);
    await this.nodes[index].restart();
    this.fronts[index].retarget(this.nodes[index].port);
  }

  /** Stops node `index` gracefully (SIGTERM: its clients are drained to the next node), then restarts it. */
  async restartNode(index: number): Promise<void> {
    this.divert(index);
    await this.nodes[index].stop(DRAIN_MS * 5);
    await this.nodes[index].restart();
    this.fronts[index].retarget(this.nodes[index].port);
  }

  /** Node `index` loses its Redis connections for `holdMs`. */
  dropRedis(index: number, holdMs: number, mode: RedisDropMode): Promise<void> {
    return this.links[index].drop(holdMs, mode);
  }

  /**
   * Per node, the lines of its output that report errors or warnings, colours and Nest's pid and date removed,
   * repeats of one line in a row collapsed into one with a count: what a failed run prints for its diagnosis.
   */
  problemLines(perNode: number): string[] {
    return this.nodes.flatMap((node, index) => {
      const lines = node.output().replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((line) => line.replace(/^\[Nest\] \d+\s+-\s+(\d+\/\d+\/\d+, )?/, '').trim());
      const problems = lines.filter((line) => /\b(ERROR|WARN)\b|Error:|SIGKILL/.test(line));
      const collapsed: Array<{ line: string; count: number }> = [];
      for (const line of problems) {
        const last = collapsed.at(-1);
        if (last?.line === line) last.count += 1;
        else collapsed.push({ line, count: 1 });
      }
      const shown = collapsed.slice(0, perNode).map(({ line, count }) => `node ${index}: ${line}${count > 1 ? ` (×${count})` : ''}`);
      return collapsed.length > perNode ? [...shown, `node ${index}: … ${collapsed.length - perNode} more`] : shown;
    });
  }

  async stop(): Promise<void> {
    // Proxies first: a server shutting down waits for WebSockets that a blackhole left half-dead.
    await Promise.allSettled(this.fronts.map((front) => front.stop()));
    await Promise.allSettled(this.nodes.map((node) => node.stop(5_000)));
    await Promise.allSettled(this.links.map((link) => link.stop()));
  }

  /** New connections for node `index` go to the next node (which is up: node faults never overlap). */
  private divert(index: number): void {
    this.fronts[index].retarget(this.nodes[(index + 1) % this.nodes.length].port);
  }
}

function nodeEnv(redisUrl: string, keyPrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    JWT_SECRET,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    PING_INTERVAL_MS: String(HEARTBEAT.pingIntervalMs),
    PING_TIMEOUT_MS: String(HEARTBEAT.pingTimeoutMs),
    DRAIN_MS: String(DRAIN_MS),
    RELIABLE_LEASE_MS: String(RELIABLE_LEASE_MS),
  };
}
