import { AsyncLocalStorage } from 'node:async_hooks';
import type { MessageKey } from './idempotency.store.js';

/** What is known about the reliable message whose handler is running. */
interface ReliableHandlerContext {
  /** Identity of the inbound message: namespace, user, event and message id. */
  readonly message: MessageKey;
  /** `message` as text, made by the first emit: most handlers never emit, so most never pay for it. */
  scope?: string;
  /** Emits made so far by this run of the handler. */
  emits: number;
}

const storage = new AsyncLocalStorage<ReliableHandlerContext>();

/** Handler runs whose result has not settled yet: while there are some, the storage is enabled. */
let running = 0;

/**
 * Runs `work` as the handler of the reliable message `message`, until the promise it returns settles.
 *
 * Node 20's `AsyncLocalStorage` propagates its context through an async hook that runs for every
 * promise the process creates while the storage is enabled, which cost about a tenth of a reliable
 * message's throughput. So the storage is enabled only while some handler runs and disabled as soon as
 * none does: the socket, store and reply work between two handlers then create their promises without it.
 * Disabling while a handler runs would cut its context, hence the count of runs in progress.
 */
export async function runInHandlerContext<T>(message: MessageKey, work: () => Promise<T>): Promise<T> {
  running += 1;
  try {
    return await storage.run({ message, emits: 0 }, work);
  } finally {
    running -= 1;
    if (running === 0) storage.disable();
  }
}

/**
 * The idempotency key for the next emit of the running reliable handler, if any. The n-th emit of a
 * handler gets the same key on every run, so a handler re-run after a crash appends nothing twice
 * (provided it emits in the same order, which deterministic handlers do). An emit made after the
 * handler's result settled (work it left running) is not part of the run and gets no key.
 */
export function nextEmitIdempotencyKey(): string | undefined {
  const context = storage.getStore();
  if (!context) return undefined;
  const { namespace, userId, event, messageId } = context.message;
  context.scope ??= JSON.stringify([namespace, userId, event, messageId]);
  const key = `${context.scope}#${context.emits}`;
  context.emits += 1;
  return key;
}
