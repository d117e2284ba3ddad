import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The shared test Redis: `$REDIS_URL`, else `redis://127.0.0.1:6379`. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A key prefix unique to one test run of one file, e.g. `rs-test:replay:3f9a1c0b:`, so that test files
 * sharing a Redis never see each other's keys. `fileTag` should be short and name the test file.
 */
export function testKeyPrefix(fileTag: string): string {
  const tag = fileTag.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'test';
  return `rs-test:${tag}:${randomBytes(4).toString('hex')}:`;
}

/** Options for {@link deleteKeysWithPrefix}. */
export interface DeleteKeysOptions {
  /** Give up (with an error) after this many SCAN calls (default 10000). */
  maxIterations?: number;
  /** Give up (with an error) after this many ms (default 10000). */
  timeoutMs?: number;
}

/**
 * Deletes every key starting with `prefix` (SCAN MATCH + UNLINK, in batches) and returns how many were
 * deleted. Glob characters in the prefix are escaped, so it matches literally. Bounded in SCAN calls and
 * time; throws if either bound is hit. Refuses an empty prefix.
 */
export async function deleteKeysWithPrefix(url: string, prefix: string, options: DeleteKeysOptions = {}): Promise<number> {
  if (!prefix) throw new Error('deleteKeysWithPrefix: refusing an empty prefix (it would match every key)');
  const maxIterations = options.maxIterations ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: Math.min(timeoutMs, 5000),
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // Surfaced through the failing command instead.
  try {
    await client.connect();
    const match = `${escapeGlob(prefix)}*`;
    let cursor = '0';
    let deleted = 0;
    for (let iteration = 0; ; iteration++) {
      if (iteration >= maxIterations) throw new Error(`deleteKeysWithPrefix(${prefix}): still scanning after ${maxIterations} SCAN calls`);
      if (Date.now() > deadline) throw new Error(`deleteKeysWithPrefix(${prefix}): still scanning after ${timeoutMs}ms`);
      const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      if (keys.length > 0) deleted += await client.unlink(...keys);
      cursor = next;
      if (cursor === '0') return deleted;
    }
  } finally {
    client.disconnect();
  }
}

/** Every key starting with `prefix` on one connection, sorted (SCAN MATCH; never KEYS on a shared server). */
export async function scanKeys(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** Escapes Redis glob metacharacters (`* ? [ ] \`) so the pattern matches them literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
