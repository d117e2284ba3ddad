import { percentile } from '../lib/timing.js';
import { clock, type DeliveryLedger, type SentMessage } from './delivery.ledger.js';

/** What the ledger says about delivery, counted the way the summary reports it. */
export interface DeliveryVerdict {
  sent: number;
  acknowledged: number;
  /** Final error replies, by code: those messages are not queued any more (not losses). */
  rejected: Record<string, number>;
  /** Sends neither acknowledged nor rejected by the end of the catch-up. */
  unsettled: number;
  /** (acknowledged message, intended recipient) pairs. */
  expectedDeliveries: number;
  deliveredExactlyOnce: number;
  /** Pairs never delivered; `lostInGap` of them fall in a range the recipient was told was lost. */
  lost: number;
  lostInGap: number;
  /** Pairs delivered more than once; `duplicatedStoredTwice` of them at two different offsets (the server stored the message twice). */
  duplicated: number;
  duplicatedStoredTwice: number;
  orderViolations: number;
  /** Offsets a recipient's handler skipped on a stream without any gap telling it so. */
  silentHoles: number;
  /** Acknowledged messages first delivered at another offset than the one the server's reply named. */
  ackOffsetMismatches: number;
  /** Deliveries of messages whose send was never acknowledged (allowed: the handler ran, its reply was lost). */
  deliveredUnacknowledged: number;
  gaps: Record<string, number>;
  halts: Record<string, number>;
  /** Handler calls whose payload was not a chaos message. */
  foreignDeliveries: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** A few examples of each problem, for the report. */
  examples: string[];
}

const countBy = <T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

function streamOf(message: SentMessage, recipient: string): string {
  return message.kind === 'direct' ? `user:${recipient}` : `room:${message.target}`;
}

/** Checks every acknowledged message against what each of its intended recipients' handlers saw. */
export function verifyDeliveries(ledger: DeliveryLedger): DeliveryVerdict {
  const messages = [...ledger.messages.values()];
  const examples: string[] = [];
  const example = (line: string): void => void (examples.length < 20 && examples.push(line));
  const inGap = (user: string, stream: string, offset: number): boolean =>
    ledger.gaps.some((gap) => gap.user === user && gap.stream === stream && offset >= gap.from && (gap.to === null || offset <= gap.to));
  const latencies: number[] = [];
  const verdict = {
    sent: messages.length, acknowledged: 0, expectedDeliveries: 0, deliveredExactlyOnce: 0, lost: 0, lostInGap: 0,
    duplicated: 0, duplicatedStoredTwice: 0, ackOffsetMismatches: 0, deliveredUnacknowledged: 0,
  };
  for (const message of messages) {
    if (message.status !== 'acked') {
      for (const user of message.recipients) if (ledger.deliveriesOf(user, message.id).length > 0) verdict.deliveredUnacknowledged += 1;
      continue;
    }
    verdict.acknowledged += 1;
    for (const user of message.recipients) {
      verdict.expectedDeliveries += 1;
      const deliveries = ledger.deliveriesOf(user, message.id);
      const stream = streamOf(message, user);
      if (deliveries.length === 0) {
        verdict.lost += 1;
        if (inGap(user, stream, message.ackOffset!)) verdict.lostInGap += 1;
        example(`lost: ${message.id} (${message.kind} ${message.from} → ${message.target}, ${stream}@${message.ackOffset}) never reached ${user} (sent ${clock(message.sentAt)}; ${user} ${ledger.whereIs(user, stream)})`);
        continue;
      }
      latencies.push(deliveries[0].at - deliveries[0].sentAt);
      if (deliveries[0].offset !== message.ackOffset) verdict.ackOffsetMismatches += 1;
      if (deliveries.length === 1) {
        verdict.deliveredExactlyOnce += 1;
        continue;
      }
      verdict.duplicated += 1;
      const offsets = deliveries.map((delivery) => delivery.offset);
      if (new Set(offsets).size > 1) verdict.duplicatedStoredTwice += 1;
      example(`duplicated: ${message.id} reached ${user} ${deliveries.length} times, at ${stream} offsets ${offsets.join(', ')}`);
    }
  }
  for (const violation of ledger.orderViolations.slice(0, 5)) example(`order: ${violation.user} saw ${violation.stream}@${violation.offset} after @${violation.after}`);
  const silentHoles = countSilentHoles(ledger, inGap, example);
  return {
    ...verdict,
    rejected: countBy(messages.filter((message) => message.status === 'rejected'), (message) => message.rejectCode ?? 'UNKNOWN'),
    unsettled: ledger.unsettled(),
    orderViolations: ledger.orderViolations.length,
    silentHoles,
    gaps: countBy(ledger.gaps, (gap) => gap.reason),
    halts: countBy(ledger.halts, (halt) => `${halt.kind} (${halt.reason})`),
    foreignDeliveries: ledger.foreignDeliveries,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    examples,
  };
}

/**
 * Offsets 1…highest of each (recipient, stream) that its handler never saw and no gap covered. Every
 * stream of a run starts empty and every member joined before the traffic, so each starts at offset 1.
 */
function countSilentHoles(ledger: DeliveryLedger, inGap: (user: string, stream: string, offset: number) => boolean, example: (line: string) => void): number {
  let holes = 0;
  for (const [user, byMessage] of ledger.deliveries) {
    const seen = new Map<string, Set<number>>();
    for (const deliveries of byMessage.values()) {
      for (const { stream, offset } of deliveries) seen.set(stream, (seen.get(stream) ?? new Set()).add(offset));
    }
    for (const [stream, offsets] of seen) {
      const highest = Math.max(...offsets);
      for (let offset = 1; offset < highest; offset += 1) {
        if (offsets.has(offset) || inGap(user, stream, offset)) continue;
        holes += 1;
        example(`silent hole: ${user} never saw ${stream}@${offset} but saw @${highest}`);
      }
    }
  }
  return holes;
}
