import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Source of the reaper: a tiny detached Node process that reads `+ <pid>` / `- <pid>` lines on stdin and,
 * when stdin reaches EOF (the test process exited, crashed or was SIGKILLed: the kernel closes the pipe),
 * SIGKILLs every pid still registered, then exits.
 */
const REAPER_SOURCE = `
const pids = new Set();
let pending = '';
const reap = () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.on('SIGINT', () => {});
process.on('SIGTERM', reap);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf('\\n')) >= 0) {
    const [op, raw] = pending.slice(0, newline).split(' ');
    pending = pending.slice(newline + 1);
    const pid = Number(raw);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (op === '+') pids.add(pid); else if (op === '-') pids.delete(pid);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

/**
 * Guarantees that child processes started by the test helpers never outlive the test process.
 *
 * Why not just `process.on('exit')`: inside Jest, test code sees a copy of `process` whose 'exit' event
 * never fires, and a SIGKILLed or force-exited Jest worker runs no handlers at all. So every tracked pid is
 * also handed to a detached reaper process watching a pipe from this process (see {@link REAPER_SOURCE});
 * the reaper only runs while at least one tracked child is alive. The `process.on('exit')` handler stays as
 * a second line of defence outside Jest.
 *
 * Tracking is per module instance, which under Jest means per test file.
 */
class ProcessReaper {
  private readonly children = new Map<number, ChildProcess>();
  private reaper: ChildProcess | undefined;
  private exitHookInstalled = false;

  /** Registers a freshly spawned child; it is forgotten automatically when it exits. */
  track(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.children.set(pid, child);
    this.installExitHook();
    this.send(`+ ${pid}\n`);
    child.once('exit', () => {
      this.children.delete(pid);
      this.send(`- ${pid}\n`);
      if (this.children.size === 0) this.retireReaper();
    });
  }

  /** Pids of tracked children that have not exited yet. */
  get pids(): number[] {
    return [...this.children.keys()];
  }

  /** SIGKILLs every tracked child synchronously (does not wait for them to exit). */
  killAll(): void {
    for (const pid of this.children.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private installExitHook(): void {
    if (this.exitHookInstalled) return;
    this.exitHookInstalled = true;
    process.once('exit', () => this.killAll());
  }

  private send(line: string): void {
    if (!this.reaper) {
      if (this.children.size === 0) return;
      this.reaper = this.spawnReaper();
      // The new reaper learns about every live child, including the one being registered now.
      line = [...this.children.keys()].map((pid) => `+ ${pid}\n`).join('');
    }
    this.reaper.stdin?.write(line);
  }

  private spawnReaper(): ChildProcess {
    const reaper = spawn(process.execPath, ['-e', REAPER_SOURCE], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true, // Own process group: a Ctrl-C aimed at the test run does not kill it before it reaps.
      env: { PATH: process.env.PATH ?? '' },
    });
    reaper.on('error', () => undefined);
    reaper.stdin?.on('error', () => undefined);
    reaper.once('exit', () => {
      if (this.reaper === reaper) this.reaper = undefined;
    });
    // Never keep the test process alive just because a reaper is running.
    reaper.unref();
    (reaper.stdin as Socket | null)?.unref();
    return reaper;
  }

  private retireReaper(): void {
    const reaper = this.reaper;
    this.reaper = undefined;
    reaper?.stdin?.end(); // EOF with an empty pid set: it exits without killing anything.
  }
}

/** The helpers' shared registry of child processes. */
export const processReaper = new ProcessReaper();

/** SIGKILLs every child process started by the test helpers in this test file (e.g. in `afterAll`). */
export function killAllChildProcesses(): void {
  processReaper.killAll();
}
