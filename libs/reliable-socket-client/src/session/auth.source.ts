import type { AuthSource } from '../reliable-client.options.js';

/**
 * The application's auth fields now: a function source is called again each time, so a fresh token
 * goes into every handshake and every `refreshAuth()`.
 *
 * @example
 * const fields = await evaluateAuth(async () => ({ token: await tokens.fresh() }));
 */
export async function evaluateAuth(source: AuthSource | undefined): Promise<Record<string, unknown>> {
  const fields = typeof source === 'function' ? await source() : source;
  return { ...(fields as Record<string, unknown> | undefined) };
}

/** Only a function can yield a newer credential: a fixed object is not worth refreshing automatically. */
export function canRefresh(source: AuthSource | undefined): boolean {
  return typeof source === 'function';
}
