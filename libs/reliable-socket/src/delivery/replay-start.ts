import type { Cursor } from '@reliable-socket/client/protocol';
import type { StreamState } from '../store/stream.store.js';

/** Where a replay begins and how the client must read the skipped range. */
export interface ReplayStart {
  after: number;
  /** The skipped range precedes the membership: the client moves its cursor silently. */
  joined: boolean;
  /** A batch must be sent even if it carries no message, so the client learns the new position. */
  mustAnnounce: boolean;
}

/**
 * Decides where a client resumes a stream. `membershipStart` is the offset the user's membership began
 * at (0 for a user's own stream). A cursor from another epoch is meaningless and restarts the stream;
 * a cursor behind retention jumps to the oldest retained message, which the client reports as a gap.
 */
export function replayStart(cursor: Cursor | undefined, state: StreamState, membershipStart: number): ReplayStart {
  const retained = state.first - 1;
  const sameEpoch = cursor !== undefined && cursor.epoch === state.epoch;
  const resumeAt = sameEpoch ? cursor.offset : 0;
  const after = Math.max(resumeAt, membershipStart, retained);
  const joined = after > resumeAt && after === membershipStart && membershipStart >= retained;
  return { after, joined, mustAnnounce: !sameEpoch || after !== resumeAt };
}
