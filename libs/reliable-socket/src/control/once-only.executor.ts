import { Inject, Injectable, Logger } from '@nestjs/common';
import { ExactlyOnceRunner } from '../handlers/exactly-once.runner.js';
import type { MessageKey } from '../handlers/idempotency.store.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ControlCommandName } from './control.contract.js';
import { toControlError } from './control-error.mapper.js';
import type { ResolvedControlOptions } from './control-module.options.js';
import { CONTROL_OPTIONS } from './control.tokens.js';
import { ReliableControlError, type ControlErrorReply } from './reliable-control.error.js';

/**
 * Scope of control requests in the idempotency store (where `@Reliable()` keys carry a namespace). It
 * cannot collide with those: namespaces start with `/`.
 */
const CONTROL_SCOPE = 'rs:control';

/** How a command ended, recorded as the successful reply of its run: the store then keeps errors too. */
type Outcome<T> = { ok: true; result: T } | { ok: false; error: ControlErrorReply };

/**
 * Runs a command once across the cluster, whichever nodes receive it, and gives every node its reply.
 *
 * A broadcast transport (Redis pub/sub) hands each request to every node, and the caller keeps the first
 * reply. Each node claims the request id in the shared idempotency store: the one that gets the lease
 * executes the command, renewing the lease while it runs, and records the reply; the others wait for
 * that record and answer with it, so every answer is the same, complete one. If the executing node dies,
 * its lease runs out and a waiting node executes the command. This is the machinery of `@Reliable()`
 * handlers ({@link ExactlyOnceRunner}), keyed by the control pattern prefix, the command and the request id.
 *
 * @example
 * const result = await onceOnly.run('broadcast', command.requestId, () => broadcasts.broadcast(command));
 */
@Injectable()
export class OnceOnlyExecutor {
  private readonly logger = new Logger('ReliableControl');

  constructor(
    private readonly runner: ExactlyOnceRunner,
    @Inject(RESOLVED_OPTIONS) private readonly socketOptions: ResolvedReliableSocketOptions,
    @Inject(CONTROL_OPTIONS) private readonly options: ResolvedControlOptions,
  ) {}

  /** Resolves to the command's result, or rejects with its {@link ReliableControlError}, on every node alike. */
  async run<T>(command: ControlCommandName, requestId: string, work: () => Promise<T>): Promise<T> {
    const key: MessageKey = { namespace: CONTROL_SCOPE, userId: this.options.patternPrefix, event: command, messageId: requestId };
    const reply = await this.runner.run({
      key,
      options: { ...this.socketOptions.reliable, leaseMs: this.options.leaseMs, dedupeTtlMs: this.options.resultTtlMs },
      invoke: () => this.settle(work),
    });
    // Only a result the store could not record (not JSON) ends here; the runner has made it an INTERNAL error.
    if (!reply.ok) throw new ReliableControlError(reply.error.code, reply.error.message, reply.error.details);
    const outcome = reply.result as Outcome<T>;
    if (!outcome.ok) throw ReliableControlError.fromRejection(outcome.error);
    return outcome.result;
  }

  /** Never rejects, so a failure is recorded like a result and every waiting node answers with the same error. */
  private settle<T>(work: () => Promise<T>): Promise<Outcome<T>> {
    return Promise.resolve().then(work).then(
      (result): Outcome<T> => ({ ok: true, result }),
      (error: unknown): Outcome<T> => ({ ok: false, error: toControlError(error, this.logger).toReply() }),
    );
  }
}
