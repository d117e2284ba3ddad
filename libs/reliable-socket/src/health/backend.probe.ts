import type { RedisClient } from '../redis/redis-client.js';
import type { StreamStore } from '../store/stream.store.js';

/** What {@link probeBackend} checks: the store, and with Redis the Socket.IO adapter's pub/sub connections. */
export interface ProbeTargets {
  store: Pick<StreamStore, 'ping'>;
  /** Absent with the in-memory backend. */
  adapter?: { adapterPub: Pick<RedisClient, 'status' | 'ping'>; adapterSub: Pick<RedisClient, 'status' | 'ping'> };
}

/** `up`, or `down: <why>`, per checked component. */
export interface ProbeReport {
  healthy: boolean;
  components: Record<string, string>;
}

function withTimeout(check: Promise<unknown>, timeoutMs: number): Promise<unknown> {
  check.catch(() => undefined); // settled after the timeout: already reported
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
}

/**
 * PINGs a Redis connection. One still connecting (a node that just started) may answer within the
 * timeout; one that does not is reported with its state (`reconnecting`, `end`…), which says more than a timeout.
 */
async function pingConnection(connection: Pick<RedisClient, 'status' | 'ping'>, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(connection.ping(), timeoutMs);
  } catch (error) {
    throw connection.status === 'ready' ? error : new Error(`connection is ${connection.status}`);
  }
}

/** Checks every component in parallel, each bounded by `timeoutMs`. Never rejects. */
export async function probeBackend(targets: ProbeTargets, timeoutMs: number): Promise<ProbeReport> {
  const checks: Record<string, () => Promise<unknown>> = { store: () => withTimeout(targets.store.ping(), timeoutMs) };
  if (targets.adapter) {
    const { adapterPub, adapterSub } = targets.adapter;
    checks.adapterPub = () => pingConnection(adapterPub, timeoutMs);
    checks.adapterSub = () => pingConnection(adapterSub, timeoutMs);
  }
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(names.map((name) => Promise.resolve().then(checks[name])));
  const components: Record<string, string> = {};
  outcomes.forEach((outcome, i) => {
    components[names[i]] = outcome.status === 'fulfilled' ? 'up' : `down: ${(outcome.reason as Error)?.message ?? outcome.reason}`;
  });
  return { healthy: outcomes.every((outcome) => outcome.status === 'fulfilled'), components };
}
