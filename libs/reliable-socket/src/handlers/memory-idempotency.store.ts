import type { SendReply } from '@reliable-socket/client/protocol';
import { assertOneUser, type ClaimOutcome, type IdempotencyStore, type MessageKey, type SequenceKey } from './idempotency.store.js';
import { assertDurationMs, assertSequence } from './idempotency-limits.policy.js';
import { decodeReply, encodeReply } from './reply.codec.js';
import { BatchedIdempotencyStore } from './idempotency-store.base.js';

export interface MemoryIdempotencyStoreOptions {
  /** Clock in ms; injectable so tests can expire leases and replies without waiting. */
  now?: () => number;
  /** How often expired entries nobody touches again are dropped (default 60 s). */
  sweepIntervalMs?: number;
}

/** Mirrors the single Redis key per message: a lease or a reply, each with its own expiry. */
type MessageEntry =
  | { kind: 'lease'; token: string; expiresAt: number }
  | { kind: 'done'; replyJson: string; expiresAt: number };

interface SequenceEntry {
  seq: number;
  expiresAt: number;
}

/** Tuples, not concatenation: no separator inside a name can make two different keys collide. */
const messageId = (key: MessageKey): string => JSON.stringify([key.namespace, key.userId, key.event, key.messageId]);
const sequenceId = (key: SequenceKey): string => JSON.stringify([key.namespace, key.userId, key.senderId, key.event]);

/**
 * {@link IdempotencyStore} held in this process, for a single node (and tests). Every method runs to
 * completion without awaiting, so each transition, and each batch, is atomic. Expired entries count as absent at once;
 * an unref'd timer drops those nobody writes again, so they cannot pile up, and `close()` stops it.
 * Behaves like `RedisIdempotencyStore`, down to renew taking back an expired lease nobody took over.
 */
export class MemoryIdempotencyStore extends BatchedIdempotencyStore {
  private readonly messages = new Map<string, MessageEntry>();
  private readonly sequences = new Map<string, SequenceEntry>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    assertDurationMs('sweepIntervalMs', sweepIntervalMs);
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref();
  }

  /** Entries held, expired ones included until swept: for tests and metrics. */
  get size(): number {
    return this.messages.size + this.sequences.size;
  }

  /** Keys in order, as the Redis script: a repeated key finds the lease just taken under the same token. */
  async claimBatch(keys: MessageKey[], token: string, leaseMs: number): Promise<ClaimOutcome[]> {
    assertDurationMs('leaseMs', leaseMs);
    assertOneUser(keys);
    const now = this.now();
    return keys.map((key): ClaimOutcome => {
      const id = messageId(key);
      const entry = this.liveMessage(id, now);
      if (entry?.kind === 'done') return { status: 'done', reply: decodeReply(entry.replyJson) };
      if (entry && entry.token !== token) return { status: 'busy', retryAfterMs: Math.max(entry.expiresAt - now, 1) };
      this.messages.set(id, { kind: 'lease', token, expiresAt: now + leaseMs });
      return { status: 'claimed' };
    });
  }

  async renewBatch(entries: Array<{ key: MessageKey; token: string }>, leaseMs: number): Promise<boolean[]> {
    assertDurationMs('leaseMs', leaseMs);
    assertOneUser(entries.map(({ key }) => key));
    const now = this.now();
    return entries.map(({ key, token }) => {
      const id = messageId(key);
      const entry = this.liveMessage(id, now);
      if (entry && (entry.kind === 'done' || entry.token !== token)) return false;
      this.messages.set(id, { kind: 'lease', token, expiresAt: now + leaseMs });
      return true;
    });
  }

  /** Tokens are not consulted: the first completion wins whoever holds the lease. */
  async completeBatch(entries: Array<{ key: MessageKey; token: string; reply: SendReply }>, ttlMs: number): Promise<SendReply[]> {
    assertDurationMs('ttlMs', ttlMs);
    assertOneUser(entries.map(({ key }) => key));
    const jsons = entries.map(({ reply }) => encodeReply(reply)); // throws before anything is recorded
    const now = this.now();
    return entries.map(({ key }, index) => {
      const id = messageId(key);
      const entry = this.liveMessage(id, now);
      if (entry?.kind === 'done') {
        // The kept reply lives for this completion's TTL too, as the Redis script writes it back.
        entry.expiresAt = now + ttlMs;
        return decodeReply(entry.replyJson);
      }
      this.messages.set(id, { kind: 'done', replyJson: jsons[index], expiresAt: now + ttlMs });
      return decodeReply(jsons[index]);
    });
  }

  async release(key: MessageKey, token: string): Promise<boolean> {
    const id = messageId(key);
    const entry = this.liveMessage(id, this.now());
    if (entry?.kind !== 'lease' || entry.token !== token) return false;
    this.messages.delete(id);
    return true;
  }

  async completedSequence(key: SequenceKey): Promise<number> {
    const entry = this.sequences.get(sequenceId(key));
    return entry && entry.expiresAt > this.now() ? entry.seq : 0;
  }

  async recordSequence(key: SequenceKey, seq: number, ttlMs: number): Promise<void> {
    assertSequence(seq);
    assertDurationMs('ttlMs', ttlMs);
    const now = this.now();
    const id = sequenceId(key);
    const entry = this.sequences.get(id);
    const current = entry && entry.expiresAt > now ? entry.seq : 0;
    // Refreshed even when the value stays, as the Redis script does: the sender is still active.
    this.sequences.set(id, { seq: Math.max(seq, current), expiresAt: now + ttlMs });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  /** The entry unless it has expired: an expired one counts as absent at once, whenever the sweep removes it. */
  private liveMessage(id: string, now: number): MessageEntry | undefined {
    const entry = this.messages.get(id);
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, { expiresAt }] of this.messages) if (expiresAt <= now) this.messages.delete(id);
    for (const [id, { expiresAt }] of this.sequences) if (expiresAt <= now) this.sequences.delete(id);
  }
}
