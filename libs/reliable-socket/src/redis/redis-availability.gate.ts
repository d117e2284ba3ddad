import { StoreUnavailableError } from '../store/store-unavailable.error.js';
import type { RedisClient } from './redis-client.js';

type Callable = (...args: unknown[]) => unknown;

const isThenable = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function';

/**
 * ioredis rejects at once, before writing anything, when its offline queue is off and the connection is
 * not ready. Only that error proves the command was never sent, so only it may be retried.
 */
const neverSent = (error: unknown): boolean => /enableOfflineQueue options is false/.test((error as Error)?.message ?? '');

/** Redis answered (a script error, a wrong type…): a real result, not an outage. */
const isReply = (error: unknown): boolean => (error as Error)?.name === 'ReplyError';

/**
 * Waits for the connection to become ready with one listener per connection, however many calls wait.
 */
class Readiness {
  private next?: Promise<boolean>;

  constructor(private readonly client: RedisClient) {}

  /** True once ready, false when the connection ended for good or after `withinMs`. */
  async within(withinMs: number): Promise<boolean> {
    if (this.client.status === 'end') return false;
    // Ready but not writable yet: yield a turn rather than spin.
    if (this.client.status === 'ready') return new Promise((resolve) => setImmediate(() => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs);
    });
    try {
      return await Promise.race([this.nextReady(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private nextReady(): Promise<boolean> {
    this.next ??= new Promise<boolean>((resolve) => {
      const settle = (ready: boolean) => (): void => {
        this.client.off('ready', onReady);
        this.client.off('end', onEnd);
        this.next = undefined;
        resolve(ready);
      };
      const onReady = settle(true);
      const onEnd = settle(false);
      this.client.once('ready', onReady);
      this.client.once('end', onEnd);
    });
    return this.next;
  }
}

async function settleWithin(client: RedisClient, readiness: Readiness, command: Callable, args: unknown[], first: Promise<unknown>, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  // Bounded by the deadline: each turn either settles or waits for readiness within what is left.
  for (let attempt = first; ; attempt = command.apply(client, args) as Promise<unknown>) {
    try {
      return await attempt;
    } catch (error) {
      if (isReply(error)) throw error;
      if (!neverSent(error)) throw new StoreUnavailableError(`Redis failed mid-command (its outcome is unknown): ${(error as Error)?.message ?? error}`, { cause: error });
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await readiness.within(remaining))) {
        throw new StoreUnavailableError(`Redis unreachable for ${timeoutMs} ms (connection ${client.status})`, { cause: error });
      }
    }
  }
}

/**
 * Wraps a command connection whose offline queue is off so that every command either completes, or
 * fails with {@link StoreUnavailableError} within `timeoutMs`:
 * - while Redis is unreachable, a command waits for the connection to come back, up to `timeoutMs`, and
 *   is never sent if it does not (so nothing reported as failed is written later);
 * - a command already sent when the connection died or stopped answering fails (ioredis' `commandTimeout`
 *   bounds it) with an unknown outcome.
 * Non-command methods (`on`, `defineCommand`, `pipeline`…) pass through untouched.
 */
export function gateCommands<T extends RedisClient>(client: T, timeoutMs: number): T {
  const readiness = new Readiness(client);
  const gated = new WeakMap<Callable, Callable>();
  const gate = (method: Callable): Callable => (...args: unknown[]): unknown => {
    const result = method.apply(client, args);
    return isThenable(result) ? settleWithin(client, readiness, method, args, result, timeoutMs) : result;
  };
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      let wrapper = gated.get(value as Callable);
      if (!wrapper) gated.set(value as Callable, (wrapper = gate(value as Callable)));
      return wrapper;
    },
  });
}
