import { spawn } from 'node:child_process';
import type { Cluster } from 'ioredis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { describeExit, ManagedProcess } from './managed-process.js';
import { formatOutputForError, OutputBuffer } from './output-buffer.js';
import { processReaper } from './process-reaper.js';
import { rawRedisCommand, redisServerPid } from './redis-ping.js';
import { sleep } from './wait.js';

/** Options for {@link RedisClusterProcess.start}. */
export interface RedisClusterOptions {
  /** Number of master nodes (default 3, the minimum `redis-cli --cluster create` accepts). */
  masters?: number;
  /** Give up if the cluster is not `cluster_state:ok` on every node within this many ms (default 20000). */
  timeoutMs?: number;
  /** `redis-server` executable (default `$REDIS_SERVER_BIN` or `redis-server` from PATH). */
  serverBinary?: string;
  /** `redis-cli` executable (default `$REDIS_CLI_BIN` or `redis-cli` from PATH). */
  cliBinary?: string;
}

/** One node's address, in the shape ioredis' `Cluster` takes. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  run: ManagedProcess;
}

/**
 * A private Redis Cluster for tests: N masters (no replicas) on free ports of 127.0.0.1, each a foreground
 * `redis-server --cluster-enabled yes` with persistence off and its own temporary directory (which also
 * holds its `nodes-<port>.conf`), joined by `redis-cli --cluster create`. {@link start} resolves only once
 * every node reports `cluster_state:ok`; every wait is bounded and every failure stops what was started.
 *
 * @example
 * const cluster = await RedisClusterProcess.start();
 * const client = new Cluster(cluster.nodes);
 * ...
 * await cluster.stop();
 */
export class RedisClusterProcess {
  private readonly outputBuffer = new OutputBuffer();
  private readonly members: ClusterNode[] = [];

  private constructor(private readonly options: RedisClusterOptions) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
    const cluster = new RedisClusterProcess(options);
    try {
      await cluster.launch();
    } catch (error) {
      await cluster.stop().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  /** Every node's address (all masters), for `new Cluster(cluster.nodes)`. */
  get nodes(): ClusterNodeAddress[] {
    return this.members.map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /** Pids of the running nodes. */
  get pids(): number[] {
    return this.members.filter((node) => node.run.running).map((node) => node.run.pid!);
  }

  /** Captured output of every node and of `redis-cli --cluster create`, for diagnostics. */
  output(): string {
    return this.outputBuffer.toString();
  }

  /** Stops every node (SIGTERM, SIGKILL after `timeoutMs`) and removes their directories. Idempotent. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const members = this.members.splice(0);
    await Promise.all(members.map(async (node) => {
      try {
        await node.run.stop(timeoutMs);
      } finally {
        await rm(node.dir, { recursive: true, force: true });
      }
    }));
  }

  private async launch(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    const count = this.options.masters ?? 3;
    if (count < 3) throw new Error('RedisClusterProcess: redis-cli --cluster create needs at least 3 masters');
    // A client port and an explicit cluster bus port (`--cluster-port`) per node, all distinct.
    const ports = await distinctFreePorts(count * 2);
    for (let n = 0; n < count; n++) this.members.push(await this.startNode(ports[2 * n], ports[2 * n + 1]));
    await Promise.all(this.members.map((node) => this.waitAnswering(node, deadline)));
    await this.createCluster(deadline);
    await Promise.all(this.members.map((node) => this.waitClusterOk(node, deadline)));
  }

  private async startNode(port: number, busPort: number): Promise<ClusterNode> {
    const dir = await mkdtemp(join(tmpdir(), 'rs-redis-cluster-'));
    const run = ManagedProcess.launch({
      name: `redis-server (cluster) :${port}`,
      command: this.options.serverBinary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server',
      args: [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes',
        '--cluster-port', String(busPort),
        '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--dir', dir,
      ],
      output: this.outputBuffer,
    });
    return { port, busPort, dir, run };
  }

  /** Until this node's own process answers on its port (a stranger on the port does not count). */
  private async waitAnswering(node: ClusterNode, deadline: number): Promise<void> {
    for (;;) {
      if (!node.run.running) throw node.run.error(`exited (${describeExit(node.run.exit)}) before answering`);
      if ((await redisServerPid(node.port, '127.0.0.1', 500)) === node.run.pid) return;
      if (Date.now() >= deadline) throw node.run.error('did not answer on its port in time');
      await sleep(25);
    }
  }

  private async createCluster(deadline: number): Promise<void> {
    const args = ['--cluster', 'create', ...this.members.map(({ port }) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'];
    const command = this.options.cliBinary ?? process.env.REDIS_CLI_BIN ?? 'redis-cli';
    const output = new OutputBuffer();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    processReaper.track(child);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output.append(chunk);
        this.outputBuffer.append(chunk);
      });
    }
    const exit = await new Promise<{ code: number | null; error?: Error } | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), Math.max(1, deadline - Date.now()));
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, error });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code });
      });
    });
    const fail = (problem: string) => new Error(`redis-cli ${args.join(' ')} ${problem}. Output:\n${formatOutputForError(output.toString())}`);
    if (!exit) {
      child.kill('SIGKILL');
      throw fail('did not finish in time');
    }
    if (exit.error) throw fail(`failed to start: ${exit.error.message}`);
    if (exit.code !== 0 || !/All 16384 slots covered/.test(output.toString())) throw fail(`failed (exit code ${exit.code})`);
  }

  /** Until `CLUSTER INFO` on this node reports `cluster_state:ok` and all slots assigned and ok. */
  private async waitClusterOk(node: ClusterNode, deadline: number): Promise<void> {
    let last: string | undefined;
    for (;;) {
      if (!node.run.running) throw node.run.error(`exited (${describeExit(node.run.exit)}) while the cluster formed`);
      last = await rawRedisCommand(node.port, 'CLUSTER INFO', '127.0.0.1', 500);
      if (last && /\bcluster_state:ok\r\n/.test(last) && /\bcluster_slots_ok:16384\r\n/.test(last)
        && new RegExp(`\\bcluster_known_nodes:${this.members.length}\\r\\n`).test(last)) return;
      if (Date.now() >= deadline) throw node.run.error(`did not report cluster_state:ok in time; last CLUSTER INFO: ${JSON.stringify(last)}`);
      await sleep(50);
    }
  }
}

/** `count` distinct free ports (freePort may hand out the same port twice). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count; attempts++) {
    if (attempts > count * 20) throw new Error(`RedisClusterProcess: could not find ${count} distinct free ports`);
    ports.add(await freePort());
  }
  return [...ports];
}

/**
 * Waits until every message published anywhere in a cluster before the call has reached a set of
 * subscriber connections.
 *
 * On a single Redis a subscriber receives a script's PUBLISH before the script's caller gets its reply,
 * and all messages in one global order. On a cluster a message published on another node than the
 * subscriber's travels over the cluster bus and arrives later (tens of ms, measured), and messages from
 * different nodes (different hash slots) have no order between them; only messages from one node (so one
 * slot, e.g. one stream) keep their order. To wait for "everything published so far", {@link drain}
 * publishes a sentinel on every master's own connection: it travels behind everything that master
 * published before, so once each subscriber heard every master's sentinel it heard all of that.
 */
export class ClusterPubSubDrain {
  private readonly heard = new Set<string>();
  private sequence = 0;

  private constructor(
    private readonly client: Cluster,
    private readonly subscribers: readonly Cluster[],
    private readonly channel: string,
  ) {}

  /** Subscribes each subscriber connection to `channel` (use a channel no store listens to). */
  static async attach(client: Cluster, subscribers: readonly Cluster[], channel: string): Promise<ClusterPubSubDrain> {
    const drain = new ClusterPubSubDrain(client, subscribers, channel);
    subscribers.forEach((subscriber, index) => subscriber.on('message', (from: string, message: string) => {
      if (from === channel) drain.heard.add(`${index}|${message}`);
    }));
    await Promise.all(subscribers.map((subscriber) => subscriber.subscribe(channel)));
    return drain;
  }

  /** Resolves once every subscriber heard a sentinel from every master (throws after `timeoutMs`). */
  async drain(timeoutMs = 5_000): Promise<void> {
    const masters = this.client.nodes('master');
    if (masters.length === 0) throw new Error('ClusterPubSubDrain: no master connections');
    const sentinels = masters.map(() => `${process.pid}:${++this.sequence}`);
    await Promise.all(masters.map((node, index) => node.publish(this.channel, sentinels[index])));
    const expected = this.subscribers.flatMap((_, index) => sentinels.map((sentinel) => `${index}|${sentinel}`));
    const deadline = Date.now() + timeoutMs;
    while (!expected.every((entry) => this.heard.has(entry))) {
      if (Date.now() > deadline) throw new Error(`ClusterPubSubDrain(${this.channel}): sentinels not heard within ${timeoutMs}ms`);
      await sleep(2);
    }
    for (const entry of expected) this.heard.delete(entry);
  }
}
