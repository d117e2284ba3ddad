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

/** Runs `work` as the handler of the reliable message `message`. */
export function runInHandlerContext<T>(message: MessageKey, work: () => T): T {
  return storage.run({ message, emits: 0 }, work);
}

/**
 * The idempotency key for the next emit of the running reliable handler, if any. The n-th emit of a
 * handler gets the same key on every run, so a handler re-run after a crash appends nothing twice
 * (provided it emits in the same order, which deterministic handlers do).
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
