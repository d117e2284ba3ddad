import type { RedisClient } from '../redis/redis-client.js';
import type { SendReply } from '@reliable-socket/client/protocol';
import { assertOneUser, type ClaimOutcome, type Completion, type MessageKey, type SequenceKey } from './idempotency.store.js';
import { assertDurationMs, assertSequence, UNUSED_DURATION_MS } from './idempotency-limits.policy.js';
import { decodeReply, encodeReply } from './reply.codec.js';
import { defineIdempotencyCommands, type IdempotencyCommands, type RawOutcome } from './redis/idempotency-commands.js';
import { IdempotencyKeys } from './redis/idempotency-keys.js';
import { BatchedIdempotencyStore } from './idempotency-store.base.js';

function toClaimOutcome(outcome: RawOutcome): ClaimOutcome {
  if (typeof outcome === 'string') return { status: 'done', reply: decodeReply(outcome) };
  return outcome === 0 ? { status: 'claimed' } : { status: 'busy', retryAfterMs: outcome };
}

/** A reply recorded by this turn is decoded from the JSON sent (`0`: its own, `-n`: entry n's), not echoed back. */
function recordedJson(outcome: RawOutcome, sent: string, turn: string[]): string {
  if (typeof outcome === 'string') return outcome;
  return outcome === 0 ? sent : turn[-outcome - 1];
}

export interface RedisIdempotencyStoreOptions {
  /** Command connection; the store's scripts are registered on it. Owned by the caller, never quit here. */
  client: RedisClient;
  /** Prefix of every key; must not contain `{` or `}`. The stream store's prefix can be shared. */
  keyPrefix: string;
}

/**
 * {@link IdempotencyStore} on Redis, shared by every node. A message is one key whose value is the lease
 * holder's token or the reply, and whose PX TTL is the lease or the dedupe window: leases expire by the
 * Redis clock, so nodes need not agree on time. Each write is one Lua script (atomic, one round trip)
 * over keys hash-tagged by the user, in the same Redis Cluster slot as the user's stream; the message
 * scripts take a batch of one user's keys, and the single-key methods are batches of one.
 */
export class RedisIdempotencyStore extends BatchedIdempotencyStore {
  private readonly keys: IdempotencyKeys;
  private readonly commands: IdempotencyCommands;

  constructor(private readonly options: RedisIdempotencyStoreOptions) {
    super();
    this.keys = new IdempotencyKeys(options.keyPrefix);
    this.commands = defineIdempotencyCommands(options.client);
  }

  async claimBatch(keys: MessageKey[], token: string, leaseMs: number): Promise<ClaimOutcome[]> {
    return (await this.completeThenClaim({ entries: [], ttlMs: UNUSED_DURATION_MS }, { keys, token, leaseMs })).claimed;
  }

  async renewBatch(entries: Array<{ key: MessageKey; token: string }>, leaseMs: number): Promise<boolean[]> {
    assertDurationMs('leaseMs', leaseMs);
    assertOneUser(entries.map(({ key }) => key));
    if (entries.length === 0) return [];
    const held = await this.commands.rsIdemRenew(
      entries.length, ...entries.map(({ key }) => this.keys.message(key)),
      leaseMs, ...entries.map(({ token }) => token),
    );
    return held.map((flag) => flag === 1);
  }

  /** Tokens are not consulted: the first completion wins whoever holds the lease (see `redis/complete-then-claim.lua.ts`). */
  async completeBatch(entries: Completion[], ttlMs: number): Promise<SendReply[]> {
    return (await this.completeThenClaim({ entries, ttlMs }, { keys: [], token: '', leaseMs: UNUSED_DURATION_MS })).completed;
  }

  /** One script, one round trip, for both parts. */
  override async completeThenClaim(
    { entries, ttlMs }: { entries: Completion[]; ttlMs: number },
    { keys, token, leaseMs }: { keys: MessageKey[]; token: string; leaseMs: number },
  ): Promise<{ completed: SendReply[]; claimed: ClaimOutcome[] }> {
    assertDurationMs('ttlMs', ttlMs);
    assertDurationMs('leaseMs', leaseMs);
    const messages = [...entries.map(({ key }) => key), ...keys];
    if (messages.length === 0) return { completed: [], claimed: [] };
    assertOneUser(messages);
    const jsons = entries.map(({ reply }) => encodeReply(reply)); // throws before anything is recorded
    const outcomes = await this.commands.rsIdemCompleteThenClaim(
      messages.length, ...messages.map((key) => this.keys.message(key)),
      entries.length, ttlMs, token, leaseMs, ...jsons,
    );
    return {
      completed: jsons.map((json, i) => decodeReply(recordedJson(outcomes[i], json, jsons))),
      claimed: keys.map((_, i) => toClaimOutcome(outcomes[entries.length + i])),
    };
  }

  async release(key: MessageKey, token: string): Promise<boolean> {
    return (await this.commands.rsIdemRelease(this.keys.message(key), token)) === 1;
  }

  /** A plain GET: a single read is atomic on its own and as cheap as a script call. */
  async completedSequence(key: SequenceKey): Promise<number> {
    return Number((await this.options.client.get(this.keys.sequence(key))) ?? 0);
  }

  async recordSequence(key: SequenceKey, seq: number, ttlMs: number): Promise<void> {
    assertSequence(seq);
    assertDurationMs('ttlMs', ttlMs);
    await this.commands.rsIdemRecordSeq(this.keys.sequence(key), seq, ttlMs);
  }
}
