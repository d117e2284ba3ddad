import type { ManagedProcess } from './managed-process.js';
import { OutputBuffer } from './output-buffer.js';

/**
 * A child process tests start, crash, stop and restart on a fixed port, keeping its output across runs.
 * Subclasses say how to launch one run and what to clean up after a run ends.
 */
export abstract class RestartableProcess {
  protected run: ManagedProcess | undefined;
  protected readonly outputBuffer = new OutputBuffer();

  protected constructor(
    /** Port it listens on; the same across restarts. */
    readonly port: number,
  ) {}

  /** Pid of the current run (undefined when not running). */
  get pid(): number | undefined {
    return this.run?.running ? this.run.pid : undefined;
  }

  get running(): boolean {
    return this.run?.running ?? false;
  }

  /** Captured output of every run so far, for diagnostics. */
  output(): string {
    return this.outputBuffer.toString();
  }

  /** Crash: SIGKILL and wait for exit. No-op when not running. */
  async kill(): Promise<void> {
    await this.run?.kill();
    await this.afterRun();
  }

  /** Graceful shutdown: SIGTERM, wait up to `timeoutMs`, then SIGKILL. No-op when not running. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.run?.stop(timeoutMs);
    await this.afterRun();
  }

  /** Stops it if it is running, then starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts one run and resolves once it is ready; on failure it is killed and the error carries its output. */
  protected abstract launch(): Promise<void>;

  /** Cleanup after a run ended (nothing by default). */
  protected async afterRun(): Promise<void> {}
}
