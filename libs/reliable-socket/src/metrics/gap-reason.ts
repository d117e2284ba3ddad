import type { BatchEnvelope, Cursor } from '@reliable-socket/client/protocol';

/** Why a client reports a gap: history left retention (`trimmed`) or the stream restarted in a new epoch (`epoch`). */
export type GapReason = 'trimmed' | 'epoch';

/**
 * The gap a client holding `cursor` signals when it receives `batch`, by the rules of docs/protocol.md §3,
 * so the server can count gaps without asking clients: none without a cursor (a new device) or for a
 * `joined` batch that only skips what precedes a room membership.
 */
export function gapSignalledBy(cursor: Cursor | undefined, batch: Pick<BatchEnvelope, 'epoch' | 'after' | 'joined'>): GapReason | undefined {
  if (cursor === undefined) return undefined;
  const otherEpoch = cursor.epoch !== batch.epoch;
  if (batch.joined && (otherEpoch || cursor.offset < batch.after)) return undefined;
  if (otherEpoch) return 'epoch';
  return batch.after > cursor.offset ? 'trimmed' : undefined;
}
