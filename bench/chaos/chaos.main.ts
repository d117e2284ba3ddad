/**
 * `npm run chaos -- --nodes 3 --clients 200 --duration 60 [--seed N]`: sample-app nodes on one Redis,
 * SDK clients chatting through TCP proxies, and a seeded schedule of faults; then every acknowledged
 * message is checked at every recipient. Exit status: 0 passed, 1 a delivery promise was broken,
 * 2 the run itself broke, 64 a bad command line.
 */
import { writeFile } from 'node:fs/promises';
import { CHAOS_USAGE, ChaosUsageError, parseChaosOptions, type ChaosOptions } from './chaos.options.js';
import { renderSummary, type ChaosSummary } from './chaos.report.js';
import { ChaosRun } from './chaos.run.js';
import { clock } from './delivery.ledger.js';
import { describeFault } from './fault.plan.js';

const EXIT_FAILED = 1;
const EXIT_BROKEN = 2;
const EXIT_USAGE = 64;
/** Beyond the traffic and the catch-up: setup (building nothing, starting nodes, connecting) and teardown. */
const OVERHEAD_LIMIT_MS = 180_000;

const started = Date.now();
const log = (line: string): void => console.log(`[chaos ${clock(Date.now())} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);

async function report(run: ChaosRun, summary: ChaosSummary, options: ChaosOptions): Promise<void> {
  if (summary.failures.length > 0) {
    const problems = run.nodeProblems(15);
    if (problems.length > 0) console.log(['', 'node errors and warnings:', ...problems.map((line) => `  ${line}`)].join('\n'));
  }
  console.log(`\n${renderSummary(summary)}`);
  console.log(`replay: npm run chaos -- --nodes ${options.nodes} --clients ${options.clients} --duration ${options.durationMs / 1000} --rate ${options.ratePerSecond} --rooms ${options.rooms} --seed ${options.seed}`);
  if (options.summaryJson) await writeFile(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
}

async function main(): Promise<number> {
  let options: ChaosOptions | undefined;
  try {
    options = parseChaosOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ChaosUsageError)) throw error;
    console.error(`chaos: ${error.message}\n\n${CHAOS_USAGE}`);
    return EXIT_USAGE;
  }
  if (!options) {
    console.log(CHAOS_USAGE);
    return 0;
  }
  log(`seed ${options.seed} (replay any run with --seed ${options.seed})`);
  const run = new ChaosRun(options, log);
  for (const fault of run.plan) log(`  planned at +${(fault.atMs / 1000).toFixed(1)}s: ${describeFault(fault)}`);

  const limitMs = options.durationMs + options.catchUpMs + OVERHEAD_LIMIT_MS;
  const guard = setTimeout(() => {
    void report(run, run.summary(`still running after ${limitMs / 1000} s`), options).finally(() => process.exit(EXIT_BROKEN));
  }, limitMs);
  let broken: string | undefined;
  try {
    await run.execute();
  } catch (error) {
    broken = (error as Error).stack ?? String(error);
    log(`the run broke: ${broken}`);
  }
  const summary = run.summary(broken && broken.split('\n')[0]);
  await report(run, summary, options);
  await run.shutdown();
  clearTimeout(guard);
  if (broken) return EXIT_BROKEN;
  return summary.failures.length > 0 ? EXIT_FAILED : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(EXIT_BROKEN);
  },
);
