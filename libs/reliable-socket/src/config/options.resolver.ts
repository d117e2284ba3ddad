import type {
  ReliableSocketOptions,
  ResolvedReliableSocketOptions,
} from '../interfaces/reliable-socket-options.interface.js';
import { InvalidOptionError } from './invalid-option.error.js';

const HOUR_MS = 3_600_000;

/** The one place defaults live. */
export const DEFAULT_OPTIONS = {
  allowAnonymous: false,
  redisTimeoutMs: 5_000,
  retention: { maxLength: 10_000, maxAgeMs: 24 * HOUR_MS },
  keyPrefix: 'rs:',
  heartbeat: { pingIntervalMs: 10_000, pingTimeoutMs: 5_000 },
  replayPageSize: 500,
  idempotencyTtlMs: 24 * HOUR_MS,
  presence: { ttlMs: 30_000 },
  drainMs: 10_000,
  metrics: { prefix: 'reliable_socket_' },
  reliable: { ordered: false, leaseMs: 30_000, dedupeTtlMs: 24 * HOUR_MS, maxPayloadBytes: 64 * 1024, orderWaitMs: 30_000 },
} as const;

function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(option, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An options sub-object without its undefined fields, so `{ x: undefined }` keeps the default of `x`. */
function plainObject(option: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(option, `expected an object, got ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}

function validateRedis(value: unknown): void {
  if (value === undefined || typeof value === 'object') return;
  if (typeof value !== 'string' || !/^rediss?:\/\//.test(value)) {
    throw new InvalidOptionError('redis', `expected a redis:// or rediss:// URL, ioredis options or an ioredis Redis or Cluster instance, got ${JSON.stringify(value)}`);
  }
}

/**
 * Merges defaults and validates. Bad options fail the application's startup with an
 * {@link InvalidOptionError} that names the option, instead of misbehaving at the first connection.
 */
export function resolveOptions(options: ReliableSocketOptions = {}): ResolvedReliableSocketOptions {
  plainObject('options', options);
  validateRedis(options.redis);
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new InvalidOptionError('authenticate', 'expected a function (handshake) => user');
  }
  if (options.allowAnonymous !== undefined && typeof options.allowAnonymous !== 'boolean') {
    throw new InvalidOptionError('allowAnonymous', 'expected a boolean');
  }
  if (!options.authenticate && !options.allowAnonymous) {
    throw new InvalidOptionError('authenticate', 'required unless allowAnonymous is true');
  }
  const retention = { ...DEFAULT_OPTIONS.retention, ...plainObject('retention', options.retention) };
  const heartbeat = { ...DEFAULT_OPTIONS.heartbeat, ...plainObject('heartbeat', options.heartbeat) };
  const keyPrefix = options.keyPrefix ?? DEFAULT_OPTIONS.keyPrefix;
  if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) {
    throw new InvalidOptionError('keyPrefix', 'expected a string without "{" or "}" (they would break Redis Cluster hash tags)');
  }
  if (options.defaultNamespace !== undefined && (typeof options.defaultNamespace !== 'string' || !options.defaultNamespace.startsWith('/'))) {
    throw new InvalidOptionError('defaultNamespace', 'expected a namespace name starting with "/"');
  }
  const reliable = { ...DEFAULT_OPTIONS.reliable, ...plainObject('reliable', options.reliable) };
  const presence: Record<string, unknown> = { ...DEFAULT_OPTIONS.presence, ...plainObject('presence', options.presence) };
  if (presence.canSubscribe !== undefined && typeof presence.canSubscribe !== 'function') {
    throw new InvalidOptionError('presence.canSubscribe', 'expected a function (user, room) => boolean');
  }
  return {
    redis: options.redis,
    redisTimeoutMs: positiveInteger('redisTimeoutMs', options.redisTimeoutMs ?? DEFAULT_OPTIONS.redisTimeoutMs),
    authenticate: options.authenticate,
    allowAnonymous: options.allowAnonymous ?? DEFAULT_OPTIONS.allowAnonymous,
    retention: {
      maxLength: positiveInteger('retention.maxLength', retention.maxLength),
      maxAgeMs: positiveInteger('retention.maxAgeMs', retention.maxAgeMs),
    },
    keyPrefix,
    heartbeat: {
      pingIntervalMs: positiveInteger('heartbeat.pingIntervalMs', heartbeat.pingIntervalMs),
      pingTimeoutMs: positiveInteger('heartbeat.pingTimeoutMs', heartbeat.pingTimeoutMs),
    },
    replayPageSize: positiveInteger('replayPageSize', options.replayPageSize ?? DEFAULT_OPTIONS.replayPageSize),
    idempotencyTtlMs: positiveInteger('idempotencyTtlMs', options.idempotencyTtlMs ?? DEFAULT_OPTIONS.idempotencyTtlMs),
    defaultNamespace: options.defaultNamespace,
    reliable: {
      ordered: false,
      leaseMs: positiveInteger('reliable.leaseMs', reliable.leaseMs),
      dedupeTtlMs: positiveInteger('reliable.dedupeTtlMs', reliable.dedupeTtlMs),
      maxPayloadBytes: positiveInteger('reliable.maxPayloadBytes', reliable.maxPayloadBytes),
      orderWaitMs: positiveInteger('reliable.orderWaitMs', reliable.orderWaitMs),
    },
    drainMs: positiveInteger('drainMs', options.drainMs ?? DEFAULT_OPTIONS.drainMs),
    metrics: { prefix: DEFAULT_OPTIONS.metrics.prefix, ...plainObject('metrics', options.metrics) } as ResolvedReliableSocketOptions['metrics'],
    presence: {
      ttlMs: positiveInteger('presence.ttlMs', presence.ttlMs),
      canSubscribe: presence.canSubscribe as ResolvedReliableSocketOptions['presence']['canSubscribe'],
    },
  };
}
