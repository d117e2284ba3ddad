import type { Redis } from 'ioredis';
import type { SendReply } from '@reliable-socket/client/protocol';
import type { ClaimOutcome, IdempotencyStore, MessageKey, SequenceKey } from './idempotency.store.js';
import { assertDurationMs, assertSequence } from './idempotency-limits.policy.js';
import { decodeReply, encodeReply } from './reply.codec.js';
import { defineIdempotencyCommands, type IdempotencyCommands } from './redis/idempotency-commands.js';
import { IdempotencyKeys } from './redis/idempotency-keys.js';

export interface RedisIdempotencyStoreOptions {
  /** Command connection; the store's scripts are registered on it. Owned by the caller, never quit here. */
  client: Redis;
  /** Prefix of every key; must not contain `{` or `}`. The stream store's prefix can be shared. */
  keyPrefix: string;
}

/**
 * {@link IdempotencyStore} on Redis, shared by every node. A message is one key whose value is the lease
 * holder's token or the reply, and whose PX TTL is the lease or the dedupe window: leases expire by the
 * Redis clock, so nodes need not agree on time. Each write is one Lua script (atomic, one round trip)
 * over keys hash-tagged by the user, in the same Redis Cluster slot as the user's stream.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly keys: IdempotencyKeys;
  private readonly commands: IdempotencyCommands;

  constructor(private readonly options: RedisIdempotencyStoreOptions) {
    this.keys = new IdempotencyKeys(options.keyPrefix);
    this.commands = defineIdempotencyCommands(options.client);
  }

  async claim(key: MessageKey, token: string, leaseMs: number): Promise<ClaimOutcome> {
    assertDurationMs('leaseMs', leaseMs);
    const [status, detail] = await this.commands.rsIdemClaim(this.keys.message(key), token, leaseMs);
    switch (status) {
      case 'done':
        return { status, reply: decodeReply(detail) };
      case 'busy':
        return { status, retryAfterMs: detail };
      default:
        return { status: 'claimed' };
    }
  }

  async renew(key: MessageKey, token: string, leaseMs: number): Promise<boolean> {
    assertDurationMs('leaseMs', leaseMs);
    return (await this.commands.rsIdemRenew(this.keys.message(key), token, leaseMs)) === 1;
  }

  /** The token is not consulted: the first completion wins whoever holds the lease (see `redis/complete.lua.ts`). */
  async complete(key: MessageKey, _token: string, reply: SendReply, ttlMs: number): Promise<SendReply> {
    assertDurationMs('ttlMs', ttlMs);
    const json = encodeReply(reply);
    const earlier = await this.commands.rsIdemComplete(this.keys.message(key), json, ttlMs);
    return decodeReply(earlier ?? json);
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
