import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BenchmarkLoad {
  /** Requests in all, clients at once, and requests each client pipelines (`-n`, `-c`, `-P`). */
  requests: number;
  clients: number;
  pipeline: number;
  /** Keyspace of `__rand_int__` in the command (`-r`). */
  keyspace: number;
}

export interface BenchmarkFigures {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Longest one redis-benchmark invocation may run. */
const TIMEOUT_MS = 60_000;

/** `"a","b"` CSV cells; only the numbers are read (the test name, first, is the command and may hold quotes). */
const cells = (line: string): string[] => line.split('","').map((cell) => cell.replace(/^"|"$/g, ''));

/**
 * Runs Debian's `redis-benchmark` (redis-tools) once with `command` against `url` and reads its CSV
 * summary. `__rand_int__` in the command is replaced per request by a number below `keyspace` (each
 * occurrence its own number).
 */
export async function redisBenchmark(url: string, command: string[], load: BenchmarkLoad): Promise<BenchmarkFigures> {
  const { hostname, port, password } = new URL(url);
  const args = [
    '-h', hostname, '-p', port || '6379', ...(password ? ['-a', decodeURIComponent(password)] : []),
    '-n', String(load.requests), '-c', String(load.clients), '-P', String(load.pipeline), '-r', String(load.keyspace), '--csv', ...command,
  ];
  const { stdout } = await run('redis-benchmark', args, { timeout: TIMEOUT_MS });
  const lines = stdout.trim().split('\n');
  const header = cells(lines[0] ?? '').slice(1);
  const numbers = cells(lines[lines.length - 1] ?? '').slice(-header.length);
  const field = (name: string): number => Number(numbers[header.indexOf(name)]);
  const figures = { opsPerSec: field('rps'), p50Ms: field('p50_latency_ms'), p99Ms: field('p99_latency_ms') };
  if (!Number.isFinite(figures.opsPerSec)) throw new Error(`redis-benchmark ${command[0]}: unreadable output ${JSON.stringify(stdout.slice(0, 300))}`);
  return figures;
}
