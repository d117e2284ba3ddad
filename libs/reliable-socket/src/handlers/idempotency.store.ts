import type { SendReply } from '@reliable-socket/client/protocol';

/** One inbound reliable message: scoped by namespace, user and event, named by the client's message id. */
export interface MessageKey {
  namespace: string;
  userId: string;
  event: string;
  messageId: string;
}

/**
 * Batches must stay within one user of one namespace: every key of theirs hashes to one Redis Cluster
 * slot, which a single script needs (and one user's messages are what arrive together anyway).
 */
export function assertOneUser(keys: readonly MessageKey[]): void {
  const [first] = keys;
  const stray = keys.find((key) => key.namespace !== first.namespace || key.userId !== first.userId);
  if (stray) {
    throw new RangeError(
      `a batch must hold messages of one user in one namespace, got ${JSON.stringify([first.namespace, first.userId])} ` +
        `and ${JSON.stringify([stray.namespace, stray.userId])}`,
    );
  }
}

/** One sender's ordered sequence of an event (`sid` from the envelope). */
export interface SequenceKey {
  namespace: string;
  userId: string;
  senderId: string;
  event: string;
}

/** The reply of one message to record: `complete`'s arguments. */
export interface Completion {
  key: MessageKey;
  token: string;
  reply: SendReply;
}

/** What `claim` found. */
export type ClaimOutcome =
  /** Nobody completed or holds this message: the caller holds the lease now and runs the handler. */
  | { status: 'claimed' }
  /** A first attempt completed: its reply (result or error) is the answer. */
  | { status: 'done'; reply: SendReply }
  /** Another attempt holds a live lease: wait and claim again. */
  | { status: 'busy'; retryAfterMs: number };

/**
 * The at-most-once record of inbound reliable messages, shared by every node.
 *
 * A message moves from absent → leased (an attempt is running; the lease expires if its node dies) →
 * done (the reply is kept for the dedupe TTL). Every transition is atomic.
 */
export interface IdempotencyStore {
  /** Atomically: done → its reply; another token's live lease → busy; otherwise take the lease for `leaseMs`. */
  claim(key: MessageKey, token: string, leaseMs: number): Promise<ClaimOutcome>;
  /** Extends the caller's lease; false if it was lost (expired and taken, or completed). */
  renew(key: MessageKey, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Records the reply for `ttlMs`, unless the message is already done (the first completion wins).
   * Resolves to the reply that is on record, which is the caller's or the earlier one.
   */
  complete(key: MessageKey, token: string, reply: SendReply, ttlMs: number): Promise<SendReply>;
  /**
   * `claim` for several messages of ONE user in one namespace (one Redis slot), atomically, in one
   * round trip, all under one token. Outcomes in input order; keys are handled in order, so a key
   * repeated in the batch finds the lease it just took under the same token and is `claimed` again.
   */
  claimBatch(keys: MessageKey[], token: string, leaseMs: number): Promise<ClaimOutcome[]>;
  /** `renew` for several messages of ONE user, atomically; which leases are held now, in input order. */
  renewBatch(entries: Array<{ key: MessageKey; token: string }>, leaseMs: number): Promise<boolean[]>;
  /**
   * `complete` for several messages of ONE user, atomically; the replies on record, in input order.
   * Entries are handled in order, so of a key repeated in the batch the first entry's reply wins.
   */
  completeBatch(entries: Completion[], ttlMs: number): Promise<SendReply[]>;
  /**
   * `completeBatch`, then `claimBatch`, for ONE user: a turn of the exactly-once runner in one round trip.
   * Completions go first, so a duplicate claimed in the same turn finds the reply just recorded.
   */
  completeThenClaim(
    completions: { entries: Completion[]; ttlMs: number },
    claims: { keys: MessageKey[]; token: string; leaseMs: number },
  ): Promise<{ completed: SendReply[]; claimed: ClaimOutcome[] }>;
  /**
   * Gives up the caller's lease without recording a reply (the attempt could not finish, e.g. the store
   * was briefly unreachable), so the next attempt runs at once. False if the token no longer holds it.
   */
  release(key: MessageKey, token: string): Promise<boolean>;
  /** Highest sequence number completed for an ordered sender (0 if none). */
  completedSequence(key: SequenceKey): Promise<number>;
  /** Raises the completed sequence to `seq` (never lowers it), kept for `ttlMs`. */
  recordSequence(key: SequenceKey, seq: number, ttlMs: number): Promise<void>;
}

/** DI token for the active {@link IdempotencyStore}. */
export const IdempotencyStore = Symbol('ReliableSocket:IdempotencyStore');
