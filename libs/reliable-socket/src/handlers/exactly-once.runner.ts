import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SendReply } from '@reliable-socket/client/protocol';
import { IdempotencyStore, type MessageKey, type SequenceKey } from './idempotency.store.js';
import type { ResolvedReliableHandlerOptions } from './reliable-handler.options.js';
import { toErrorReply } from './error-reply.mapper.js';

const POLL_MIN_MS = 10;
const POLL_MAX_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ReliableInvocation {
  key: MessageKey;
  /** Present for ordered handlers. */
  sequence?: { key: SequenceKey; seq: number };
  options: ResolvedReliableHandlerOptions;
  /** Runs the handler; resolves to its return value or rejects with what it threw. */
  invoke: () => Promise<unknown>;
}

/**
 * Runs a handler at most once per message across all nodes.
 *
 * The first attempt takes a lease and renews it while the handler runs; concurrent duplicates (a
 * retry that reached another node) wait for its reply instead of running again. If the attempt's node
 * dies, the lease expires and the next retry runs the handler: the one case where a handler can run
 * twice for a message, and only when the first run never finished.
 */
@Injectable()
export class ExactlyOnceRunner {
  private readonly logger = new Logger('ReliableSocket');

  constructor(@Inject(IdempotencyStore) private readonly store: IdempotencyStore) {}

  async run(invocation: ReliableInvocation): Promise<SendReply> {
    const { key, options } = invocation;
    const token = randomUUID();
    if (invocation.sequence) await this.awaitTurn(invocation.sequence.key, invocation.sequence.seq, options.orderWaitMs);
    for (let poll = POLL_MIN_MS; ; poll = Math.min(poll * 2, POLL_MAX_MS)) {
      const outcome = await this.store.claim(key, token, options.leaseMs);
      if (outcome.status === 'done') return outcome.reply;
      if (outcome.status === 'claimed') break;
      await sleep(Math.min(outcome.retryAfterMs, poll));
    }
    const reply = await this.invokeUnderLease(invocation, token);
    const recorded = await this.store.complete(key, token, reply, options.dedupeTtlMs).catch((error: unknown) => {
      // A result JSON cannot carry (a BigInt, a cycle) must still settle the message, or it would stay leased.
      if (!(error instanceof TypeError)) throw error;
      return this.store.complete(key, token, toErrorReply(error, this.logger), options.dedupeTtlMs);
    });
    if (invocation.sequence) await this.store.recordSequence(invocation.sequence.key, invocation.sequence.seq, options.dedupeTtlMs);
    return recorded;
  }

  private async invokeUnderLease({ key, options, invoke }: ReliableInvocation, token: string): Promise<SendReply> {
    const renewal = setInterval(() => {
      this.store.renew(key, token, options.leaseMs).then(
        (held) => held || this.logger.warn(`lease of ${key.event} message ${key.messageId} was lost while its handler ran`),
        (error: Error) => this.logger.warn(`lease renewal failed: ${error.message}`),
      );
    }, Math.max(1, Math.floor(options.leaseMs / 3)));
    try {
      return { ok: true, result: await invoke() };
    } catch (error) {
      return toErrorReply(error, this.logger);
    } finally {
      clearInterval(renewal);
    }
  }

  /** Message n of an ordered sender waits until n-1 completed, or until `waitMs` says it never will. */
  private async awaitTurn(key: SequenceKey, seq: number, waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (let poll = POLL_MIN_MS; ; poll = Math.min(poll * 2, POLL_MAX_MS)) {
      if ((await this.store.completedSequence(key)) >= seq - 1) return;
      if (Date.now() >= deadline) {
        this.logger.warn(`ordered ${key.event} #${seq} of sender ${key.senderId} ran without #${seq - 1}, which did not arrive within ${waitMs} ms`);
        return;
      }
      await sleep(poll);
    }
  }
}
