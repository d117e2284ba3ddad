import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { RestartableProcess } from './restartable.process.js';
import { sleep } from './wait.js';

/** Root of the repository (this file lives in `<repo>/test/support/`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built sample app. Build it first (`npm run build`). */
export const SAMPLE_APP_ENTRY = fileURLToPath(new URL('../../sample-app/dist/main.js', import.meta.url));

/**
 * App settings that are never inherited from the test process' environment: a child only gets the ones
 * its test passes in `env`, so e.g. a `REDIS_URL` exported in the shell cannot silently switch a test
 * that expects the in-memory store to Redis.
 */
const APP_SETTINGS = [
  'PORT', 'HOST', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'JWT_SECRET', 'PING_INTERVAL_MS', 'PING_TIMEOUT_MS',
  'RETENTION_MAX_LENGTH', 'RETENTION_MAX_AGE_MS', 'RELIABLE_LEASE_MS', 'PRESENCE_TTL_MS', 'DRAIN_MS',
];

/** Options for {@link AppProcess.start}. */
export interface AppProcessOptions {
  /** Port for the app (`PORT`), default: a free port. Kept across restarts. */
  port?: number;
  /** Extra environment, e.g. `REDIS_URL`, `JWT_SECRET`, `PING_INTERVAL_MS`; overrides the defaults. */
  env?: Record<string, string>;
  /** Script run with `node`, default {@link SAMPLE_APP_ENTRY}. */
  entry?: string;
  /** Extra Node options placed before the entry, e.g. `['--enable-source-maps']`. */
  nodeArgs?: readonly string[];
  /** Output that means "ready", default `/listening on\b.*\b<port>\b/i`. */
  readyPattern?: RegExp;
  /** Give up (killing the process) if not ready within this many ms (default 20000). */
  timeoutMs?: number;
  /** Working directory, default the repository root. */
  cwd?: string;
}

/**
 * The sample app (or any Node server script) running as a real child process, for tests that need to
 * SIGKILL, stop or restart a server. Started with `node <entry>`, `NODE_ENV=test` and `PORT`, plus the
 * given `env`; ready once its output matches the ready pattern and its port accepts TCP connections.
 * Output (stdout + stderr, across restarts) is captured for diagnostics, and every start error quotes it.
 *
 * @example
 * const node = await AppProcess.start({ env: { REDIS_URL: redisUrl(), JWT_SECRET: 'secret' } });
 * await node.kill();      // crash
 * await node.restart();   // same port, same env
 * await node.stop();
 */
export class AppProcess extends RestartableProcess {
  private readonly entry: string;
  private readonly env: NodeJS.ProcessEnv;
  private launches = 0;

  private constructor(
    port: number,
    private readonly options: AppProcessOptions,
  ) {
    super(port);
    this.entry = options.entry ?? SAMPLE_APP_ENTRY;
    const inherited = { ...process.env };
    for (const key of APP_SETTINGS) delete inherited[key];
    this.env = { ...inherited, NODE_ENV: 'test', ...options.env, PORT: String(port) };
  }

  /** Starts the app and resolves once it is ready; on failure the error includes its output. */
  static async start(options: AppProcessOptions = {}): Promise<AppProcess> {
    const entry = options.entry ?? SAMPLE_APP_ENTRY;
    if (!existsSync(entry)) {
      const hint = entry === SAMPLE_APP_ENTRY ? ' (the sample app is not built: run `npm run build`)' : '';
      throw new Error(`AppProcess: entry ${entry} does not exist${hint}`);
    }
    const app = new AppProcess(options.port ?? (await freePort()), options);
    await app.launch();
    return app;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }


  /** Waits until the current run's output matches `pattern` (fails early if the process exits). */
  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    if (!this.run) return Promise.reject(new Error('AppProcess: not started'));
    return this.run.waitForOutput(pattern, timeoutMs);
  }


  protected async launch(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    this.launches += 1;
    if (this.launches > 1) this.outputBuffer.append(`\n----- restart #${this.launches - 1} -----\n`);
    const run = ManagedProcess.launch({
      name: `app :${this.port} (${this.entry})`,
      command: process.execPath,
      args: [...(this.options.nodeArgs ?? []), this.entry],
      env: this.env,
      cwd: this.options.cwd ?? REPO_ROOT,
      output: this.outputBuffer,
    });
    this.run = run;
    const readyPattern = this.options.readyPattern ?? new RegExp(`listening on\\b.*\\b${this.port}\\b`, 'i');
    try {
      await run.waitForOutput(readyPattern, timeoutMs);
      // Bounded: ends at the deadline or when the process exits.
      while (!(await canConnect(this.port))) {
        if (!run.running) throw run.error('exited right after printing its ready line');
        if (Date.now() >= deadline) throw run.error(`printed its ready line but port ${this.port} refused connections for ${timeoutMs}ms`);
        await sleep(25);
      }
    } catch (error) {
      await run.kill().catch(() => undefined);
      throw error;
    }
  }
}

/** Whether a TCP connection to 127.0.0.1:`port` succeeds within 1s. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
