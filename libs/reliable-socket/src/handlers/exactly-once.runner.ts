import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SendReply } from '@reliable-socket/client/protocol';
import { IdempotencyStore, type MessageKey, type SequenceKey } from './idempotency.store.js';
import type { ResolvedReliableHandlerOptions } from './reliable-handler.options.js';
import { toErrorReply } from './error-reply.mapper.js';
import { IdempotencyBatcher } from './idempotency.batcher.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { StoreUnavailableError } from '../store/store-unavailable.error.js';

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
 *
 * Runs in progress are tracked so a node shutting down can let them finish ({@link whenIdle}) rather than
 * leave their leases to expire.
 *
 * When the store is unreachable the reply is `UNAVAILABLE` and nothing is recorded, so the client's retry
 * is a new attempt: before the handler ran (the claim failed), or because the handler itself could not
 * reach the store (its lease is released, so the retry need not wait for it). The one case that runs a
 * handler twice is, as for a crash, a handler that finished but whose reply could not be recorded.
 */
@Injectable()
export class ExactlyOnceRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('ReliableSocket');
  private readonly batched: IdempotencyBatcher;
  /** Runs in progress on this node, and who waits for there to be none. */
  private runs = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    @Inject(IdempotencyStore) private readonly store: IdempotencyStore,
    private readonly metrics: ReliableMetrics,
  ) {
    this.batched = new IdempotencyBatcher(store);
  }

  /** After the graceful drain, which waits for running handlers: their leases stay renewed until then. */
  onApplicationShutdown(): void {
    this.batched.close();
  }

  /** Runs in progress on this node. */
  get running(): number {
    return this.runs;
  }

  /** A counter rather than a set of promises: one run costs no promise of its own beyond its work. */
  async run(invocation: ReliableInvocation): Promise<SendReply> {
    this.runs += 1;
    try {
      return await this.claimAndRun(invocation);
    } catch (error) {
      if (error instanceof StoreUnavailableError) return toErrorReply(error, this.logger);
      throw error;
    } finally {
      this.runs -= 1;
      if (this.runs === 0) for (const idle of [...this.idleWaiters]) idle();
    }
  }

  /**
   * Resolves to true once no run is in progress (runs started meanwhile included), or to false after
   * `timeoutMs`.
   */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.runs === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (idle: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = (): void => settle(true);
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  private async claimAndRun(invocation: ReliableInvocation): Promise<SendReply> {
    const { key, options } = invocation;
    if (invocation.sequence) await this.awaitTurn(invocation.sequence.key, invocation.sequence.seq, options.orderWaitMs);
    let token: string;
    for (let poll = POLL_MIN_MS; ; poll = Math.min(poll * 2, POLL_MAX_MS)) {
      const claim = await this.batched.claim(key, options.leaseMs);
      if (claim.outcome.status === 'done') {
        this.metrics.dedupeHit(key.namespace);
        return claim.outcome.reply;
      }
      if (claim.outcome.status === 'claimed') {
        token = claim.token;
        break;
      }
      await sleep(Math.min(claim.outcome.retryAfterMs, poll));
    }
    const release = this.batched.hold(key, token, options.leaseMs);
    let reply: SendReply;
    try {
      reply = { ok: true, result: await invocation.invoke() };
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.store.release(key, token).catch(() => undefined); // else the lease expires on its own
        throw error;
      }
      reply = toErrorReply(error, this.logger);
    } finally {
      release();
    }
    const recorded = await this.batched.complete(key, token, reply, options.dedupeTtlMs);
    if (invocation.sequence) await this.store.recordSequence(invocation.sequence.key, invocation.sequence.seq, options.dedupeTtlMs);
    return recorded;
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
