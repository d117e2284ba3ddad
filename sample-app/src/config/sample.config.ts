/** The sample's settings, all from the environment, with development defaults. */
export interface SampleConfig {
  port: number;
  /** Interface to listen on. @default '0.0.0.0' */
  host: string;
  redisUrl?: string;
  redisKeyPrefix: string;
  jwtSecret: string;
  production: boolean;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  retentionMaxLength?: number;
  retentionMaxAgeMs?: number;
  reliableLeaseMs?: number;
  /** How soon a crashed node's users go offline (`presence.ttlMs`). */
  presenceTtlMs?: number;
  /** How long a shutdown spreads its clients' reconnects over (`drainMs`). */
  drainMs?: number;
}

/** Development-only secret; set JWT_SECRET in any real deployment. */
export const DEV_JWT_SECRET = 'reliable-socket-dev-secret';

function optionalInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function loadSampleConfig(): SampleConfig {
  const production = process.env.NODE_ENV === 'production';
  const jwtSecret = process.env.JWT_SECRET ?? DEV_JWT_SECRET;
  if (production && jwtSecret === DEV_JWT_SECRET) throw new Error('JWT_SECRET must be set when NODE_ENV=production');
  return {
    port: optionalInt('PORT') ?? 3000,
    host: process.env.HOST || '0.0.0.0',
    redisUrl: process.env.REDIS_URL || undefined,
    redisKeyPrefix: process.env.REDIS_KEY_PREFIX || 'rs:',
    jwtSecret,
    production,
    pingIntervalMs: optionalInt('PING_INTERVAL_MS'),
    pingTimeoutMs: optionalInt('PING_TIMEOUT_MS'),
    retentionMaxLength: optionalInt('RETENTION_MAX_LENGTH'),
    retentionMaxAgeMs: optionalInt('RETENTION_MAX_AGE_MS'),
    reliableLeaseMs: optionalInt('RELIABLE_LEASE_MS'),
    presenceTtlMs: optionalInt('PRESENCE_TTL_MS'),
    drainMs: optionalInt('DRAIN_MS'),
  };
}

/** Nest provider token for {@link SampleConfig}. */
export const SAMPLE_CONFIG = Symbol('SampleConfig');
