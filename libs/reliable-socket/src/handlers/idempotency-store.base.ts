import type { SendReply } from '@reliable-socket/client/protocol';
import type { ClaimOutcome, IdempotencyStore, MessageKey, SequenceKey } from './idempotency.store.js';

/**
 * The single-message operations of an {@link IdempotencyStore} as batches of one, so each
 * implementation writes its claim, renew and complete logic once, in the batch form.
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

  abstract claimBatch(keys: MessageKey[], token: string, leaseMs: number): Promise<ClaimOutcome[]>;
  abstract renewBatch(entries: Array<{ key: MessageKey; token: string }>, leaseMs: number): Promise<boolean[]>;
  abstract completeBatch(entries: Array<{ key: MessageKey; token: string; reply: SendReply }>, ttlMs: number): Promise<SendReply[]>;
  abstract release(key: MessageKey, token: string): Promise<boolean>;
  abstract completedSequence(key: SequenceKey): Promise<number>;
  abstract recordSequence(key: SequenceKey, seq: number, ttlMs: number): Promise<void>;
}
