import type { SendReply } from '@reliable-socket/client/protocol';
import { assertOneUser, type ClaimOutcome, type Completion, type IdempotencyStore, type MessageKey, type SequenceKey } from './idempotency.store.js';

/**
 * The single-message operations of an {@link IdempotencyStore} as batches of one, so each
 * implementation writes its claim, renew and complete logic once, in the batch form; and a turn as its
 * two batches in order (a store with round trips to save overrides it).
 */
export abstract class BatchedIdempotencyStore implements IdempotencyStore {
  async claim(key: MessageKey, token: string, leaseMs: number): Promise<ClaimOutcome> {
    return (await this.claimBatch([key], token, leaseMs))[0];
  }

  async renew(key: MessageKey, token: string, leaseMs: number): Promise<boolean> {
    return (await this.renewBatch([{ key, token }], leaseMs))[0];
  }

  async complete(key: MessageKey, token: string, reply: SendReply, ttlMs: number): Promise<SendReply> {
    return (await this.completeBatch([{ key, token, reply }], ttlMs))[0];
  }

  async completeThenClaim(
    completions: { entries: Completion[]; ttlMs: number },
    claims: { keys: MessageKey[]; token: string; leaseMs: number },
  ): Promise<{ completed: SendReply[]; claimed: ClaimOutcome[] }> {
    const messages = [...completions.entries.map(({ key }) => key), ...claims.keys];
    if (messages.length > 0) assertOneUser(messages);
    const completed = await this.completeBatch(completions.entries, completions.ttlMs);
    return { completed, claimed: await this.claimBatch(claims.keys, claims.token, claims.leaseMs) };
  }

  abstract claimBatch(keys: MessageKey[], token: string, leaseMs: number): Promise<ClaimOutcome[]>;
  abstract renewBatch(entries: Array<{ key: MessageKey; token: string }>, leaseMs: number): Promise<boolean[]>;
  abstract completeBatch(entries: Completion[], ttlMs: number): Promise<SendReply[]>;
  abstract release(key: MessageKey, token: string): Promise<boolean>;
  abstract completedSequence(key: SequenceKey): Promise<number>;
  abstract recordSequence(key: SequenceKey, seq: number, ttlMs: number): Promise<void>;
}
