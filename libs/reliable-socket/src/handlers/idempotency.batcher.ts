import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ErrorCode, type SendReply } from '@reliable-socket/client/protocol';
import { TickBatcher } from '../common/tick.batcher.js';
import type { ClaimOutcome, IdempotencyStore, MessageKey } from './idempotency.store.js';

interface HeldLease {
  key: MessageKey;
  token: string;
}

const userGroup = (key: MessageKey, extra: number): string => JSON.stringify([key.namespace, key.userId, extra]);

/** A handler result JSON cannot carry (a BigInt, a cycle) is recorded as INTERNAL instead, so the message still settles. */
function storable(reply: SendReply, logger: Logger): SendReply {
  try {
    JSON.stringify(reply);
    return reply;
  } catch (error) {
    logger.error(`a reliable handler returned a result that cannot be serialised: ${(error as Error).message}`);
    return { ok: false, error: { code: ErrorCode.Internal, message: 'Internal error' } };
  }
}

/**
 * The idempotency store as the runner uses it: claims and completions made during one event-loop turn
 * for one user are sent as one script each (a client with 32 messages in flight costs two round trips
 * per burst, not 64), and every held lease is renewed by one shared timer instead of one per message.
 */
export class IdempotencyBatcher {
  private readonly logger = new Logger('ReliableSocket');
  private readonly claims: TickBatcher<{ key: MessageKey; leaseMs: number }, { outcome: ClaimOutcome; token: string }>;
  private readonly completions: TickBatcher<{ key: MessageKey; token: string; reply: SendReply; ttlMs: number }, SendReply>;
  private readonly held = new Map<number, Set<HeldLease>>();
  private readonly renewals = new Map<number, NodeJS.Timeout>();

  constructor(private readonly store: IdempotencyStore) {
    this.claims = new TickBatcher((_, items) => this.claimBatch(items), { oneFlushPerGroup: true });
    this.completions = new TickBatcher((_, items) => this.completeBatch(items), { oneFlushPerGroup: true });
  }

  /** Claims a message; the token names the caller's lease if it is granted. */
  claim(key: MessageKey, leaseMs: number): Promise<{ outcome: ClaimOutcome; token: string }> {
    return this.claims.add(userGroup(key, leaseMs), { key, leaseMs });
  }

  complete(key: MessageKey, token: string, reply: SendReply, ttlMs: number): Promise<SendReply> {
    return this.completions.add(userGroup(key, ttlMs), { key, token, reply, ttlMs });
  }

  /**
   * Keeps the lease alive until the returned release is called. The renewal timer outlives the last
   * release until its next tick (see {@link renew}): with messages arriving continuously the set of
   * held leases empties and refills all the time, and a timer per refill would be created and
   * cleared for every few messages.
   */
  hold(key: MessageKey, token: string, leaseMs: number): () => void {
    const lease = { key, token };
    let leases = this.held.get(leaseMs);
    if (!leases) this.held.set(leaseMs, (leases = new Set()));
    leases.add(lease);
    if (!this.renewals.has(leaseMs)) {
      const timer = setInterval(() => void this.renew(leaseMs), Math.max(1, Math.floor(leaseMs / 3)));
      timer.unref();
      this.renewals.set(leaseMs, timer);
    }
    return () => {
      leases.delete(lease);
    };
  }

  close(): void {
    this.renewals.forEach((timer) => clearInterval(timer));
    this.renewals.clear();
  }

  /**
   * One token per batch. The same message twice in one batch (a retry that arrived in the same turn)
   * would find its own lease under that token and run twice, so only its first occurrence claims; the
   * others are told to wait, as for any attempt in progress.
   */
  private async claimBatch(items: Array<{ key: MessageKey; leaseMs: number }>): Promise<Array<{ outcome: ClaimOutcome; token: string }>> {
    const token = randomUUID();
    const firstIndex = new Map<string, number>();
    const unique: MessageKey[] = [];
    const slots = items.map(({ key }) => {
      const id = JSON.stringify([key.event, key.messageId]);
      if (firstIndex.has(id)) return -1;
      firstIndex.set(id, unique.length);
      unique.push(key);
      return unique.length - 1;
    });
    const outcomes = await this.store.claimBatch(unique, token, items[0].leaseMs);
    return slots.map((slot) => ({ outcome: slot === -1 ? { status: 'busy', retryAfterMs: 10 } : outcomes[slot], token }));
  }

  /**
   * Replies go to the store as they are. By contract a store refuses a batch holding a reply JSON cannot
   * carry whole, with a TypeError, before recording anything; only then is each reply checked (the bad
   * ones recorded as INTERNAL) and the batch sent again. Checking up front would serialise every reply
   * once more on the common path.
   */
  private async completeBatch(items: Array<{ key: MessageKey; token: string; reply: SendReply; ttlMs: number }>): Promise<SendReply[]> {
    const entries = items.map(({ key, token, reply }) => ({ key, token, reply }));
    try {
      return await this.store.completeBatch(entries, items[0].ttlMs);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return this.store.completeBatch(entries.map((entry) => ({ ...entry, reply: storable(entry.reply, this.logger) })), items[0].ttlMs);
    }
  }

  /** Renews every lease held for `leaseMs`; stops the timer once none is. */
  private async renew(leaseMs: number): Promise<void> {
    const leases = this.held.get(leaseMs);
    if (!leases || leases.size === 0) {
      clearInterval(this.renewals.get(leaseMs));
      this.renewals.delete(leaseMs);
      this.held.delete(leaseMs);
      return;
    }
    const byUser = new Map<string, HeldLease[]>();
    for (const lease of leases) {
      const group = userGroup(lease.key, 0);
      byUser.set(group, [...(byUser.get(group) ?? []), lease]);
    }
    await Promise.all(
      [...byUser.values()].map(async (leases) => {
        try {
          const stillHeld = await this.store.renewBatch(leases, leaseMs);
          stillHeld.forEach((held, i) => held || this.logger.warn(`lease of ${leases[i].key.event} message ${leases[i].key.messageId} was lost while its handler ran`));
        } catch (error) {
          this.logger.warn(`lease renewal failed: ${(error as Error).message}`);
        }
      }),
    );
  }
}
