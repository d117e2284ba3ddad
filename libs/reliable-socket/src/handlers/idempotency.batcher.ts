import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { SendReply } from '@reliable-socket/client/protocol';
import { ItemFailure, TickBatcher } from '../common/tick.batcher.js';
import type { ClaimOutcome, Completion, IdempotencyStore, MessageKey } from './idempotency.store.js';
import { UNUSED_DURATION_MS } from './idempotency-limits.policy.js';

interface HeldLease {
  key: MessageKey;
  token: string;
}

type ClaimItem = { kind: 'claim'; key: MessageKey; leaseMs: number };
type CompleteItem = { kind: 'complete'; key: MessageKey; token: string; reply: SendReply; ttlMs: number };
type TurnItem = ClaimItem | CompleteItem;
type TurnResult = { outcome: ClaimOutcome; token: string } | SendReply;

/** Length-prefixed, so no two (namespace, user) pairs share a group, without the cost of JSON per message. */
const userGroup = (key: MessageKey): string => `${key.namespace.length}:${key.namespace}${key.userId}`;
/** A user's claims and completions are batched apart (the leading letter keeps the two kinds of group apart). */
const claimGroup = (key: MessageKey): string => `k${userGroup(key)}`;
const completionGroup = (key: MessageKey): string => `c${userGroup(key)}`;

/** Items of one kind sharing a lease (or TTL), with their places in the turn. */
function bySetting<T extends TurnItem>(items: TurnItem[], kind: T['kind'], setting: (item: T) => number): Map<number, Array<{ item: T; index: number }>> {
  const groups = new Map<number, Array<{ item: T; index: number }>>();
  items.forEach((item, index) => {
    if (item.kind !== kind) return;
    const value = setting(item as T);
    const group = groups.get(value);
    if (group) group.push({ item: item as T, index });
    else groups.set(value, [{ item: item as T, index }]);
  });
  return groups;
}

/**
 * The idempotency store as the runner uses it, per user (one Redis slot): the claims made while that
 * user's previous claim call was under way go together in the next one (group commit), and so do the
 * completions. A client with 32 messages in flight costs a few calls per burst, not 64, and batches grow
 * with load. Claims and completions are batched apart so that neither waits for the other's call: a
 * completion is recorded while its reply travels, and the sender's next messages are claimed meanwhile
 * (calls of one turn still share a socket write). Every held lease is renewed by one shared timer
 * instead of one per message.
 */
export class IdempotencyBatcher {
  private readonly logger = new Logger('ReliableSocket');
  private readonly turns: TickBatcher<TurnItem, TurnResult>;
  private readonly held = new Map<number, Set<HeldLease>>();
  private readonly renewals = new Map<number, NodeJS.Timeout>();

  constructor(private readonly store: IdempotencyStore) {
    this.turns = new TickBatcher((_, items) => this.settleTurn(items), { oneFlushPerGroup: true });
  }

  /** Claims a message; the token names the caller's lease if it is granted. */
  claim(key: MessageKey, leaseMs: number): Promise<{ outcome: ClaimOutcome; token: string }> {
    return this.turns.add(claimGroup(key), { kind: 'claim', key, leaseMs }) as Promise<{ outcome: ClaimOutcome; token: string }>;
  }

  complete(key: MessageKey, token: string, reply: SendReply, ttlMs: number): Promise<SendReply> {
    return this.turns.add(completionGroup(key), { kind: 'complete', key, token, reply, ttlMs }) as Promise<SendReply>;
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
   * One store call per setting in the turn (the TTL of completions, the lease of claims; a turn holds one
   * kind), normally exactly one. A failing call fails only its own items.
   */
  private async settleTurn(items: TurnItem[]): Promise<Array<TurnResult | ItemFailure>> {
    const results: Array<TurnResult | ItemFailure> = new Array(items.length);
    const completions = [...bySetting<CompleteItem>(items, 'complete', (item) => item.ttlMs).values()];
    const claims = [...bySetting<ClaimItem>(items, 'claim', (item) => item.leaseMs).values()];
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < Math.max(completions.length, claims.length); i += 1) {
      const [completing = [], claiming = []] = [completions[i], claims[i]];
      calls.push(
        this.completeThenClaim(completing.map(({ item }) => item), claiming.map(({ item }) => item)).then(
          ({ completed, claimed }) => {
            completing.forEach(({ index }, n) => (results[index] = completed[n]));
            claiming.forEach(({ index }, n) => (results[index] = claimed[n]));
          },
          (error: unknown) => [...completing, ...claiming].forEach(({ index }) => (results[index] = new ItemFailure(error))),
        ),
      );
    }
    await Promise.all(calls);
    return results;
  }

  /**
   * Claims take one token per turn. The same message twice among them (a retry that arrived in the same
   * turn) would find its own lease under that token and run twice, so only its first occurrence claims;
   * the others are told to wait, as for any attempt in progress.
   *
   * Replies go to the store as they are: the runner hands over only replies JSON can carry.
   */
  private async completeThenClaim(completing: CompleteItem[], claiming: ClaimItem[]): Promise<{ completed: SendReply[]; claimed: TurnResult[] }> {
    const token = randomUUID();
    const firstIndex = new Map<string, number>();
    const unique: MessageKey[] = [];
    const slots = claiming.map(({ key }) => {
      const id = `${key.event.length}:${key.event}${key.messageId}`;
      if (firstIndex.has(id)) return -1;
      firstIndex.set(id, unique.length);
      unique.push(key);
      return unique.length - 1;
    });
    // The items are completions as they are (key, token, reply): no copy per message.
    const entries: Completion[] = completing;
    const ttlMs = completing[0]?.ttlMs ?? UNUSED_DURATION_MS;
    const claims = { keys: unique, token, leaseMs: claiming[0]?.leaseMs ?? UNUSED_DURATION_MS };
    const { completed, claimed } = await this.store.completeThenClaim({ entries, ttlMs }, claims);
    return { completed, claimed: slots.map((slot) => ({ outcome: slot === -1 ? { status: 'busy', retryAfterMs: 10 } : claimed[slot], token })) };
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
      const group = userGroup(lease.key);
      const ofUser = byUser.get(group);
      if (ofUser) ofUser.push(lease);
      else byUser.set(group, [lease]);
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
