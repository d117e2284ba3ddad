import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode, type SendReply } from '@reliable-socket/client/protocol';
import { IdempotencyStore, type MessageKey, type SequenceKey } from './idempotency.store.js';
import type { ResolvedReliableHandlerOptions } from './reliable-handler.options.js';
import { toErrorReply } from './error-reply.mapper.js';
import { throughJson } from './reply.codec.js';
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
 * The reply leaves as soon as the handler has returned, while it is being recorded (see
 * {@link recordAfterAnswer}); an ordered handler's reply waits for its record, which the next message waits for.
 *
 * When the store is unreachable before or during the handler, the reply is `UNAVAILABLE` and nothing is
 * recorded, so the client's retry is a new attempt: before the handler ran (the claim failed), or because
 * the handler itself could not reach the store (its lease is released, so the retry need not wait for it).
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
      this.settled();
    }
  }

  private settled(): void {
    this.runs -= 1;
    if (this.runs === 0) for (const idle of [...this.idleWaiters]) idle();
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
    const answer = this.recordable(reply);
    if (!invocation.sequence) {
      this.recordAfterAnswer(key, token, answer, options.dedupeTtlMs);
      return answer;
    }
    const recorded = await this.batched.complete(key, token, answer, options.dedupeTtlMs);
    await this.store.recordSequence(invocation.sequence.key, invocation.sequence.seq, options.dedupeTtlMs);
    return recorded;
  }

  /** The reply through JSON, as it is recorded; a result JSON cannot carry (a BigInt, a cycle) becomes INTERNAL. */
  private recordable(reply: SendReply): SendReply {
    try {
      return throughJson(reply);
    } catch (error) {
      this.logger.error(`a reliable handler returned a result that cannot be serialised: ${(error as Error).message}`);
      return { ok: false, error: { code: ErrorCode.Internal, message: 'Internal error' } };
    }
  }

  /**
   * Records the reply while it travels to the client instead of before: the record's round trip is off
   * the sender's critical path. Nothing runs twice because of it: the lease stays in place until the
   * record replaces it, so a duplicate arriving meanwhile waits and then gets the record; and a client that
   * has the reply sends nothing again. Only if the node dies, or loses Redis, before the record lands *and*
   * the reply is lost with it does a retry run the handler again once the lease expires, exactly as when
   * a node dies just before answering. The recording counts as part of the run for {@link whenIdle}, so
   * a draining node records every reply it gave.
   */
  private recordAfterAnswer(key: MessageKey, token: string, answer: SendReply, ttlMs: number): void {
    this.runs += 1;
    this.batched
      .complete(key, token, answer, ttlMs)
      .catch((error: unknown) => this.logger.warn(`the reply to ${key.event} message ${key.messageId} was sent but not recorded: ${(error as Error).message}`))
      .finally(() => this.settled());
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
