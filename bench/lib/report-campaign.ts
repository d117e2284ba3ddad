import type { CampaignResult } from '../scenarios/campaign-delivery.js';
import { formatFixed, formatInt, formatRatio, renderTable } from './table.js';

/** Scenario 7's rows (one message to every connected client) and the lines under them. */
export function renderCampaignReport(result: CampaignResult): string {
  const { clients, runs, median } = result;
  const table = renderTable(
    ['scenario 7: one message to all', 'plain io.emit', 'reliable campaign (redis)', 'ratio'],
    [
      [`deliveries/s to ${formatInt(clients)} clients, all received`, formatInt(result.plainPerSec), formatInt(result.reliableReceivedPerSec), formatRatio(result.receivedRatio)],
      ['  … until progress() says delivered', '–', formatInt(result.reliableProgressPerSec), formatRatio(result.progressRatio)],
      ['  emit/start → last client (ms)', formatFixed(median.plainMs, 1), formatFixed(median.reliableReceivedMs, 1), ''],
      ['  emit/start → progress delivered (ms)', '–', formatFixed(median.reliableProgressMs, 1), ''],
      ['  emit/start → median client (ms)', formatFixed(median.plainP50Ms, 1), formatFixed(median.reliableP50Ms, 1), ''],
      ['  start() call itself (ms)', '–', formatFixed(median.reliableStartCallMs, 1), ''],
    ],
  );
  const ms = (values: (number | undefined)[]): string => values.map((value) => formatFixed(value ?? Number.NaN, 1)).join(', ');
  return [
    table,
    '',
    `campaign: ${formatInt(clients)} clients, each a distinct user; no ratePerSecond; medians of ${runs.plain.length} rounds; ratio = median over rounds of (reliable ÷ plain deliveries/s in the same round)`,
    `campaign runs, all received (ms): plain ${ms(runs.plain.map((run) => run.allReceivedMs))}; reliable ${ms(runs.reliable.map((run) => run.allReceivedMs))}; ` +
      `reliable progress delivered ${ms(runs.reliable.map((run) => run.progressDeliveredMs))} (${runs.reliable.map((run) => run.progressPolls).join(', ')} progress() calls)`,
    `campaign verified: every client got each round's message exactly once, final progress total = delivered = ${formatInt(clients)}; ` +
      `copies a light client dropped by offset: ${runs.reliable.reduce((sum, run) => sum + run.wireDuplicates, 0)}`,
  ].join('\n');
}
