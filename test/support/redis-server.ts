import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { describeExit, ManagedProcess } from './managed-process.js';
import { RestartableProcess } from './restartable.process.js';
import { redisServerPid } from './redis-ping.js';
import { sleep } from './wait.js';

/** Options for {@link RedisServerProcess.start}. */
export interface RedisServerOptions {
  /** Port to listen on, on 127.0.0.1 (default: a free port). */
  port?: number;
  /** Give up if it does not answer within this many ms (default 10000). */
  timeoutMs?: number;
  /** Executable (default `$REDIS_SERVER_BIN` or `redis-server` from PATH). */
  binary?: string;
  /** Extra arguments appended to the defaults, e.g. `['--maxmemory', '10mb']`. */
  extraArgs?: readonly string[];
}

/**
 * A private `redis-server` for tests that kill, restart or wipe Redis, so that they never disturb the
 * shared instance on :6379. Runs in the foreground on 127.0.0.1 with persistence off
 * (`--save '' --appendonly no`) and its working directory in a fresh temporary folder, so every start,
 * including {@link restart}, begins with an empty dataset.
 *
 * @example
 * const redis = await RedisServerProcess.start();
 * const app = await AppProcess.start({ env: { REDIS_URL: redis.url } });
 * await redis.kill();     // Redis crashes
 * await redis.restart();  // back, empty, same port
 */
export class RedisServerProcess extends RestartableProcess {
  private dir: string | undefined;

  private constructor(
    port: number,
    private readonly options: RedisServerOptions,
  ) {
    super(port);
  }

  /** Starts a server and resolves once it answers on its port (checked via `INFO server` process_id). */
  static async start(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(options.port ?? (await freePort()), options);
    await server.launch();
    return server;
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }


  /** A restart starts an empty server: the data directory of each run is removed after it. */
  protected async launch(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    this.dir = await mkdtemp(join(tmpdir(), 'rs-redis-'));
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--dir', this.dir,
      ...(this.options.extraArgs ?? []),
    ];
    const run = ManagedProcess.launch({
      name: `redis-server :${this.port}`,
      command: this.options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server',
      args,
      output: this.outputBuffer,
    });
    this.run = run;
    const deadline = Date.now() + timeoutMs;
    // Bounded: ends at the deadline or when the process exits.
    for (;;) {
      if (!run.running) {
        await this.removeDir();
        throw run.error(`exited (${describeExit(run.exit)}) before answering`);
      }
      // Ready once *this* process answers: a server already on the port must not pass for ours.
      if ((await redisServerPid(this.port, '127.0.0.1', 500)) === run.pid) return;
      if (Date.now() >= deadline) {
        await run.kill().catch(() => undefined);
        await this.removeDir();
        throw run.error(`did not answer on its port within ${timeoutMs}ms`);
      }
      await sleep(25);
    }
  }

  protected override async afterRun(): Promise<void> {
    await this.removeDir();
  }

  private async removeDir(): Promise<void> {
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
