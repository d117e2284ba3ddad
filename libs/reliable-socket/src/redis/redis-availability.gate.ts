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

/** What a failed command becomes: a Redis reply error stays as it is, anything else is an outage. */
function asStoreError(error: unknown): unknown {
  if (isReply(error)) return error;
  return new StoreUnavailableError(`Redis failed mid-command (its outcome is unknown): ${(error as Error)?.message ?? error}`, { cause: error });
}

const unreachable = (client: RedisClient, timeoutMs: number, cause?: unknown): StoreUnavailableError =>
  new StoreUnavailableError(`Redis unreachable for ${timeoutMs} ms (connection ${client.status})`, { cause });

/**
 * The slow path of a command that failed: a command that was never sent is sent again once the connection
 * is ready, as long as the deadline allows (counted from the first failure, which for an unsent command is
 * the call itself). Bounded by the deadline: each turn settles or waits for readiness within what is left.
 */
async function retryUnsent(client: RedisClient, readiness: Readiness, command: Callable, args: unknown[], firstError: unknown, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (let error = firstError; ;) {
    if (!neverSent(error)) throw asStoreError(error);
    const remaining = deadline - Date.now();
    if (remaining <= 0 || !(await readiness.within(remaining))) throw unreachable(client, timeoutMs, error);
    try {
      return await (command.apply(client, args) as Promise<unknown>);
    } catch (next) {
      error = next;
    }
  }
}

interface Executable {
  isPipeline?: boolean;
  exec(...args: unknown[]): Promise<unknown>;
}

const isPipeline = (value: unknown): value is Executable => (value as Executable | undefined)?.isPipeline === true && typeof (value as Executable).exec === 'function';

/**
 * A pipeline or MULTI can be executed once only, so it is not retried: its `exec` waits (bounded) for the
 * connection to be ready first, and any failure but a Redis reply error becomes {@link StoreUnavailableError}.
 */
function gatePipeline(client: RedisClient, readiness: Readiness, pipeline: Executable, timeoutMs: number): void {
  const exec = pipeline.exec.bind(pipeline);
  pipeline.exec = async (...args: unknown[]): Promise<unknown> => {
    if (client.status !== 'ready' && !(await readiness.within(timeoutMs))) throw unreachable(client, timeoutMs);
    try {
      return await exec(...args);
    } catch (error) {
      throw asStoreError(error);
    }
  };
}

/**
 * Wraps a command connection whose offline queue is off so that every command either completes, or
 * fails with {@link StoreUnavailableError} within `timeoutMs`:
 * - while Redis is unreachable, a command waits for the connection to come back, up to `timeoutMs`, and
 *   is never sent if it does not (so nothing reported as failed is written later);
 * - a command already sent when the connection died or stopped answering fails (ioredis' `commandTimeout`
 *   bounds it) with an unknown outcome.
 * A pipeline or MULTI waits for readiness before it is executed. Other methods (`on`, `defineCommand`…)
 * pass through untouched.
 */
export function gateCommands<T extends RedisClient>(client: T, timeoutMs: number): T {
  const readiness = new Readiness(client);
  const gated = new WeakMap<Callable, Callable>();
  const gate = (method: Callable): Callable => (...args: unknown[]): unknown => {
    const result = method.apply(client, args);
    // The common case (the command succeeds) costs one reaction, not an async frame per command.
    if (isThenable(result)) return result.then(undefined, (error: unknown) => retryUnsent(client, readiness, method, args, error, timeoutMs));
    if (isPipeline(result)) gatePipeline(client, readiness, result, timeoutMs);
    return result;
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
