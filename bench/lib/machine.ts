import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { RedisStats } from './redis-stats.js';

export interface MachineFacts {
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  redis: string;
  /** `ulimit -n` of this process (the server processes inherit it): caps the idle-connection scenario. */
  openFileLimit: number;
}

/**
 * Node has no getrlimit, but a child shell inherits the limit: `ulimit -n` there is this process's.
 * `unlimited` (or no shell) counts as no practical limit.
 */
export function openFileLimit(): number {
  try {
    const limit = Number.parseInt(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim(), 10);
    return Number.isFinite(limit) ? limit : Number.MAX_SAFE_INTEGER;
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

export async function machineFacts(redis: RedisStats): Promise<MachineFacts> {
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    redis: await redis.version(),
    openFileLimit: openFileLimit(),
  };
}

/** File descriptors a bench process keeps for itself beside its sockets (Redis, IPC, the runtime). */
const FD_HEADROOM = 500;

/** How many of `requested` sockets one process can hold under `openFileLimit` (each is a file descriptor). */
export function connectionsThatFit(requested: number, openFileLimit: number): number {
  return Math.max(0, Math.min(requested, openFileLimit - FD_HEADROOM));
}
