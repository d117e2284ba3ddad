/** A connection asking to be its user's one session in a namespace. */
export interface SessionCandidate {
  namespace: string;
  userId: string;
  /** The client instance (`auth.rs.session`); a reconnect of the holder's own instance may always take over. */
  sessionId: string;
}

export type SessionClaim =
  /**
   * The candidate holds the session now, under a fence higher than any before it. `replaced`: a live
   * session held it before (that one must be evicted); false when the candidate is the first.
   */
  | { granted: true; fence: number; replaced: boolean }
  /** `reject` mode and another client instance holds a live session. */
  | { granted: false; holderSessionId: string };

export type ConflictMode = 'replace' | 'reject';

/** A held session, as its node knows it. */
export interface HeldSession {
  namespace: string;
  userId: string;
  fence: number;
  /** The client instance it was granted to (needed to take an abandoned session back on refresh). */
  sessionId?: string;
}

/**
 * Who holds each user's one session per namespace, shared by every node.
 *
 * Every grant draws a new fence from a per-user counter, atomically with the decision, so among
 * simultaneous connects on different nodes exactly one ends up holding the session, and a node acting
 * on an older grant can be recognised (its fence is lower) and can never remove a newer session.
 */
export interface SessionRegistry {
  /** `replace`: always granted. `reject`: granted unless another instance holds a live session. */
  claim(candidate: SessionCandidate, mode: ConflictMode, ttlMs: number): Promise<SessionClaim>;
  /** Whether `fence` is still the user's current session. */
  holds(session: HeldSession): Promise<boolean>;
  /**
   * Extends live sessions (a crashed node's expire); resolves to which are still held. A session whose
   * record is gone (it expired while its node could not reach the store, or a newer claim was released
   * without ever connecting) is taken back under its own fence when `sessionId` is given: nobody else
   * holds it, and any later claim still draws a higher fence.
   */
  refresh(sessions: HeldSession[], ttlMs: number): Promise<boolean[]>;
  /** Ends a session, unless a newer one replaced it already. */
  release(session: HeldSession): Promise<void>;
}

/** DI token for the active {@link SessionRegistry}. */
export const SessionRegistry = Symbol('ReliableSocket:SessionRegistry');
