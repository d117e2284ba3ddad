import { AsyncLocalStorage } from 'node:async_hooks';

/** What is known about the reliable message whose handler is running. */
export interface ReliableHandlerContext {
  /** Identity of the inbound message: namespace, user, event and message id. */
  readonly messageScope: string;
  /** Emits made so far by this run of the handler. */
  emits: number;
}

const storage = new AsyncLocalStorage<ReliableHandlerContext>();

/** Runs `work` as the handler of the reliable message `messageScope`. */
export function runInHandlerContext<T>(messageScope: string, work: () => T): T {
  return storage.run({ messageScope, emits: 0 }, work);
}

/**
 * The idempotency key for the next emit of the running reliable handler, if any. The n-th emit of a
 * handler gets the same key on every run, so a handler re-run after a crash appends nothing twice
 * (provided it emits in the same order, which deterministic handlers do).
 */
export function nextEmitIdempotencyKey(): string | undefined {
  const context = storage.getStore();
  if (!context) return undefined;
  const key = `${context.messageScope}#${context.emits}`;
  context.emits += 1;
  return key;
}
