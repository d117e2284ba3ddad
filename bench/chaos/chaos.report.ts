import { formatInt, renderTable } from '../lib/table.js';
import type { DeliveryVerdict } from './delivery.verifier.js';
import { FAULT_KINDS, type FaultKind } from './fault.plan.js';

/** Everything a chaos run reports; also written as JSON with `--summary-json`. */
export interface ChaosSummary {
  seed: number;
  nodes: number;
  clients: number;
  rooms: number;
  durationS: number;
  ratePerSecond: number;
  delivery: DeliveryVerdict;
  faults: Record<FaultKind, number>;
  faultsSkipped: number;
  /** Why the run itself broke (a node that would not come back, a setup failure), if it did. */
  broken?: string;
  /** Why the run failed; empty when it passed. */
  failures: string[];
}

/** The reasons a run fails: any loss, duplicate, order violation or other broken promise, or a broken run. */
export function failuresOf(delivery: DeliveryVerdict, broken: string | undefined): string[] {
  const failures: string[] = [];
  const check = (count: number, what: string): void => void (count > 0 && failures.push(`${formatInt(count)} ${what}`));
  if (broken) failures.push(`the run broke: ${broken}`);
  check(delivery.lost, 'lost');
  check(delivery.duplicated, 'duplicated');
  check(delivery.orderViolations, 'order violations');
  check(delivery.silentHoles, 'offsets skipped without a gap');
  check(delivery.ackOffsetMismatches, 'deliveries at another offset than acknowledged');
  check(delivery.unsettled, 'sends never settled (neither acknowledged nor rejected)');
  check(Object.values(delivery.halts).reduce((sum, count) => sum + count, 0), 'clients halted (replaced, rejected or kicked)');
  check(delivery.foreignDeliveries, 'deliveries of unknown messages');
  return failures;
}

const byKey = (counts: Record<string, number>): string => {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '0' : entries.map(([key, count]) => `${key}: ${formatInt(count)}`).join(', ');
};
const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, count) => sum + count, 0);
const ms = (value: number): string => (Number.isFinite(value) ? `${formatInt(value)} ms` : '–');

/** The summary as two plain-text tables and a verdict line. */
export function renderSummary(summary: ChaosSummary): string {
  const d = summary.delivery;
  const rejected = total(d.rejected) === 0 ? '0' : `${formatInt(total(d.rejected))} (${byKey(d.rejected)})`;
  const delivery = renderTable(['delivery', 'count'], [
    ['sent', formatInt(d.sent)],
    ['acknowledged', formatInt(d.acknowledged)],
    ['rejected (final error reply, not a loss)', rejected],
    ['unsettled at the end', formatInt(d.unsettled)],
    ['expected deliveries (acknowledged × recipients)', formatInt(d.expectedDeliveries)],
    ['delivered exactly once', formatInt(d.deliveredExactlyOnce)],
    ['lost', `${formatInt(d.lost)}${d.lostInGap > 0 ? ` (${formatInt(d.lostInGap)} inside a signalled gap)` : ''}`],
    ['duplicated', `${formatInt(d.duplicated)}${d.duplicatedStoredTwice > 0 ? ` (${formatInt(d.duplicatedStoredTwice)} stored twice)` : ''}`],
    ['order violations', formatInt(d.orderViolations)],
    ['offsets skipped without a gap', formatInt(d.silentHoles)],
    ['delivered at another offset than acknowledged', formatInt(d.ackOffsetMismatches)],
    ['delivered but never acknowledged (allowed)', formatInt(d.deliveredUnacknowledged)],
    ['gaps signalled, by cause', byKey(d.gaps)],
    ['clients halted', byKey(d.halts)],
    ['delivery latency p50 (send → handler)', ms(d.latencyP50Ms)],
    ['delivery latency p99 (send → handler)', ms(d.latencyP99Ms)],
  ]);
  const faults = renderTable(['fault', 'injected'], [
    ...FAULT_KINDS.map((kind) => [kind, formatInt(summary.faults[kind])]),
    ['(skipped: lane busy past the fault window)', formatInt(summary.faultsSkipped)],
  ]);
  const header = `chaos run: seed ${summary.seed}, ${summary.nodes} nodes, ${summary.clients} clients in ${summary.rooms} rooms, ${summary.durationS} s at ${summary.ratePerSecond} sends/s`;
  const verdict = summary.failures.length === 0 ? 'PASS' : `FAIL: ${summary.failures.join('; ')}`;
  const examples = d.examples.length > 0 ? ['', 'examples:', ...d.examples.map((line) => `  ${line}`)] : [];
  return [header, '', delivery, '', faults, ...examples, '', verdict].join('\n');
}
