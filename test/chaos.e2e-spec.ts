/**
 * Issue 7: the short chaos run of CI. The chaos runner (bench/chaos, compiled here) starts three sample-app
 * nodes on one Redis behind real TCP proxies, has SDK clients chat while a fixed-seed schedule injects every
 * kind of fault (transport resets, blackholes, node SIGKILL and graceful restarts, page reloads, Redis
 * drops), then checks every acknowledged message at every recipient. It must exit 0 with nothing lost,
 * duplicated or out of order, and must have injected each kind of fault.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from './support/app-process.js';
import { ManagedProcess } from './support/managed-process.js';
import { killAllChildProcesses } from './support/process-reaper.js';
import { redisUrl } from './support/redis-prefix.js';

const RUNNER = join(REPO_ROOT, 'bench/dist/chaos/bench/chaos/chaos.main.js');
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
/** Small enough for a two-core CI machine that also runs another suite. */
const ARGS = ['--nodes', '3', '--clients', '30', '--duration', '20', '--seed', '20260607', '--catch-up', '30'];
const FAULT_KINDS = ['transport-close', 'blackhole', 'node-kill', 'node-restart', 'client-reload', 'redis-drop'];

interface Summary {
  delivery: { acknowledged: number; expectedDeliveries: number; deliveredExactlyOnce: number; lost: number; duplicated: number; orderViolations: number; silentHoles: number };
  faults: Record<string, number>;
  failures: string[];
}

/** Runs `node <args>` from the repository root; resolves with its exit code, throwing (with its output) past `timeoutMs`. */
async function runNode(name: string, args: string[], timeoutMs: number): Promise<{ code: number | null; run: ManagedProcess }> {
  const run = ManagedProcess.launch({ name, command: process.execPath, args, cwd: REPO_ROOT, env: { ...process.env, REDIS_URL: redisUrl() } });
  const exit = await run.waitForExit(timeoutMs);
  if (!exit) {
    await run.kill();
    throw run.error(`did not finish within ${timeoutMs} ms`);
  }
  return { code: exit.code, run };
}

describe('chaos run (CI length: 20 s, 3 nodes, 30 clients, fixed seed)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rs-chaos-'));
    const build = await runNode('tsc -p bench/chaos', [TSC, '-p', 'bench/chaos/tsconfig.json'], 120_000);
    if (build.code !== 0) throw build.run.error(`failed to compile the chaos runner (exit ${build.code})`);
  }, 150_000);

  afterAll(async () => {
    killAllChildProcesses();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses, duplicates and reorders nothing under every kind of fault', async () => {
    const summaryFile = join(dir, 'summary.json');
    const { code, run } = await runNode('chaos runner', [RUNNER, ...ARGS, '--summary-json', summaryFile], 180_000);
    if (code !== 0) throw run.error(`exited with ${code}`);
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Summary;
    const { acknowledged, expectedDeliveries, deliveredExactlyOnce, lost, duplicated, orderViolations, silentHoles } = summary.delivery;
    expect({ failures: summary.failures, lost, duplicated, orderViolations, silentHoles }).toEqual({ failures: [], lost: 0, duplicated: 0, orderViolations: 0, silentHoles: 0 });
    expect(acknowledged).toBeGreaterThan(100);
    expect(deliveredExactlyOnce).toBe(expectedDeliveries);
    expect(FAULT_KINDS.filter((kind) => !(summary.faults[kind] >= 1))).toEqual([]);
  }, 200_000);
});
