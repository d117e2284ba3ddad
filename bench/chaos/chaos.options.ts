import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

/** What one chaos run does; every field comes from the command line (see {@link CHAOS_USAGE}). */
export interface ChaosOptions {
  nodes: number;
  clients: number;
  durationMs: number;
  seed: number;
  /** Sends per second, all clients together. */
  ratePerSecond: number;
  rooms: number;
  /** After the traffic stops: how long every send may take to settle and every delivery to arrive. */
  catchUpMs: number;
  redisUrl: string;
  /** Where to write the summary as JSON (for tools and the CI test), if anywhere. */
  summaryJson: string | undefined;
}

export const CHAOS_USAGE = `Usage: npm run chaos -- [options]
  --nodes N          sample-app nodes on one Redis (2-9, default 3)
  --clients N        SDK clients, one user each (2-2000, default 200)
  --duration S       seconds of traffic; faults stop a few seconds before the end (10-3600, default 60)
  --seed N           seed of the fault schedule and the traffic (0-4294967295, default random)
  --rate N           sends per second, all clients together (1-2000, default clients/4, at most 100)
  --rooms N          rooms; each client is a member of 2 of them for the whole run (2-clients, default clients/10)
  --catch-up S       after the traffic: bound on waiting for acks and deliveries (5-600, default 60)
  --redis-url URL    Redis on a loopback address (default $REDIS_URL or redis://127.0.0.1:6379)
  --summary-json F   also write the summary as JSON to file F
  --help             this text`;

/** A command line that cannot run; its message says which option and why. */
export class ChaosUsageError extends Error {
  override name = 'ChaosUsageError';
}

function integer(name: string, raw: string | undefined, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ChaosUsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function loopbackRedisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ChaosUsageError(`--redis-url is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'redis:') throw new ChaosUsageError(`--redis-url must start with redis://, got "${raw}"`);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new ChaosUsageError(`--redis-url must be on a loopback address, got "${url.hostname}"`);
  return raw;
}

/** Parses and validates `argv` (without node and script); throws {@link ChaosUsageError}, or returns undefined for `--help`. */
export function parseChaosOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ChaosOptions | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        nodes: { type: 'string' }, clients: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' },
        rate: { type: 'string' }, rooms: { type: 'string' }, 'catch-up': { type: 'string' }, 'redis-url': { type: 'string' },
        'summary-json': { type: 'string' }, help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new ChaosUsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const text = (name: string): string | undefined => values[name] as string | undefined;
  const clients = integer('clients', text('clients'), 2, 2000, 200);
  return {
    nodes: integer('nodes', text('nodes'), 2, 9, 3),
    clients,
    durationMs: integer('duration', text('duration'), 10, 3600, 60) * 1000,
    seed: integer('seed', text('seed'), 0, 0xffffffff, randomInt(0, 0xffffffff)),
    ratePerSecond: integer('rate', text('rate'), 1, 2000, Math.min(100, Math.max(1, Math.round(clients / 4)))),
    rooms: integer('rooms', text('rooms'), 2, clients, Math.max(2, Math.round(clients / 10))),
    catchUpMs: integer('catch-up', text('catch-up'), 5, 600, 60) * 1000,
    redisUrl: loopbackRedisUrl(text('redis-url') ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    summaryJson: text('summary-json'),
  };
}
