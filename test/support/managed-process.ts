import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { formatOutputForError, OutputBuffer } from './output-buffer.js';
import { processReaper } from './process-reaper.js';

/** How a process ended. `error` is set when it could not be spawned at all (e.g. ENOENT). */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** Options for {@link ManagedProcess.launch}. */
export interface LaunchOptions {
  /** Short label used in error messages, e.g. `redis-server :6390`. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout and stderr are captured; pass the same buffer across restarts to keep history. */
  output?: OutputBuffer;
}

const EXIT_TIMEOUT_MS = 10_000;

/**
 * One run of a child process, as the helpers need it: output captured for diagnostics, exit observable,
 * registered with the {@link processReaper} so it never outlives the test process, and its handles
 * unref'd so that a forgotten child cannot keep Jest from exiting (every wait below runs a ref'd timer,
 * so awaiting still works).
 */
export class ManagedProcess {
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  private exitInfo: ProcessExit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    /** Captured stdout + stderr. */
    readonly output: OutputBuffer,
    /** Position in {@link output} where this run's output starts. */
    readonly outputStart: number,
  ) {
    this.exited = new Promise<ProcessExit>((resolve) => {
      const finish = (exit: ProcessExit): void => {
        if (this.exitInfo) return;
        this.exitInfo = exit;
        resolve(exit);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.on('error', (error) => {
        // 'error' without a pid means the spawn itself failed and no 'exit' will follow.
        if (child.pid === undefined) finish({ code: null, signal: null, error });
        output.append(`[${name}] process error: ${error.message}\n`);
      });
    });
  }

  /** Spawns the process. Spawn failures surface through {@link exited} (and thus through every wait). */
  static launch(options: LaunchOptions): ManagedProcess {
    const output = options.output ?? new OutputBuffer();
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const managed = new ManagedProcess(options.name, child, output, output.position);
    processReaper.track(child);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => output.append(chunk));
      (stream as Socket | null)?.unref();
    }
    child.unref();
    return managed;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited (false if it never started). */
  get running(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  /** The exit, once it happened. */
  get exit(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** This run's output only. */
  runOutput(): string {
    return this.output.since(this.outputStart);
  }

  /** Sends a signal (no-op once exited). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      this.child.kill(signal);
    } catch {
      // Exited meanwhile.
    }
  }

  /** SIGKILLs the process and waits until it has exited. */
  async kill(): Promise<ProcessExit> {
    this.signal('SIGKILL');
    const exit = await this.waitForExit(EXIT_TIMEOUT_MS);
    if (!exit) throw this.error(`did not exit within ${EXIT_TIMEOUT_MS}ms of SIGKILL`);
    return exit;
  }

  /** SIGTERMs the process, waits up to `timeoutMs` for it to exit, then escalates to SIGKILL. */
  async stop(timeoutMs = 10_000): Promise<ProcessExit> {
    this.signal('SIGTERM');
    const exit = await this.waitForExit(timeoutMs);
    if (exit) return exit;
    this.output.append(`[${this.name}] still running ${timeoutMs}ms after SIGTERM; sending SIGKILL\n`);
    return this.kill();
  }

  /** Resolves with the exit once it happened, or `undefined` after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<ProcessExit | undefined> {
    return withTimeout(this.exited, timeoutMs);
  }

  /**
   * Waits until this run's output matches `pattern`, failing early if the process exits first and after
   * `timeoutMs` otherwise; both errors quote the captured output.
   */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    const probe = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    // Bounded: the loop ends at the deadline or when the process exits.
    for (;;) {
      const match = this.runOutput().match(probe);
      if (match) return match;
      if (!this.running) throw this.error(`exited (${describeExit(this.exitInfo)}) before printing ${pattern}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.error(`did not print ${pattern} within ${timeoutMs}ms`);
      await withTimeout(this.exited, Math.min(25, remaining));
    }
  }

  /** An error about this process whose message ends with this run's captured output. */
  error(problem: string): Error {
    return new Error(`${this.name} (pid ${this.pid ?? 'none'}) ${problem}. Output:\n${formatOutputForError(this.runOutput())}`);
  }
}

/** Human-readable description of an exit. */
export function describeExit(exit: ProcessExit | undefined): string {
  if (!exit) return 'still running';
  if (exit.error) return `failed to start: ${exit.error.message}`;
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** Resolves with the promise's value, or `undefined` if it is not settled within `ms` (ref'd timer). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
