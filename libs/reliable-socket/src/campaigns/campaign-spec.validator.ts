import { InvalidCampaignError } from './campaign.errors.js';
import type { CampaignSpec, CampaignTarget } from './campaign.types.js';

/** What a spec is checked against besides its own fields. */
export interface SpecLimits {
  /** Now, in ms since the epoch. */
  now: number;
  /**
   * Latest acceptable `expiresAt - now`: a campaign must end while its appends are still deduplicated
   * (`idempotencyTtlMs`, or a re-send after a crash could append twice) and still retained (`retention.maxAgeMs`,
   * or a device that reconnects late could find the message trimmed).
   */
  maxLifetimeMs: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function checkNames(field: string, names: unknown): void {
  if (names === undefined) return;
  if (!Array.isArray(names) || names.length === 0) throw new InvalidCampaignError(field, 'must be a non-empty array when given');
  const bad = names.find((name) => typeof name !== 'string' || name.length === 0);
  if (bad !== undefined) throw new InvalidCampaignError(field, `every entry must be a non-empty string, got ${JSON.stringify(bad) ?? String(bad)}`);
}

function checkWhere(where: unknown): void {
  if (where === undefined) return;
  if (!isPlainObject(where)) throw new InvalidCampaignError('target.where', 'must be an object of { "dot.path": value | value[] }');
  const entries = Object.entries(where);
  // An empty `where` would match every connected device: too easy to send to everyone by mistake.
  if (entries.length === 0) throw new InvalidCampaignError('target.where', 'must have at least one condition');
  for (const [path, wanted] of entries) {
    if (path.length === 0 || path.split('.').some((step) => step.length === 0)) throw new InvalidCampaignError('target.where', `bad path ${JSON.stringify(path)}`);
    if (wanted === undefined || (Array.isArray(wanted) && wanted.length === 0)) {
      throw new InvalidCampaignError('target.where', `condition ${JSON.stringify(path)} needs a value or a non-empty list of values`);
    }
  }
}

/**
 * Checks a target: at least one of `users`, `rooms`, `where`, each well formed. Throws
 * {@link InvalidCampaignError} naming the field.
 */
export function validateTarget(target: unknown): asserts target is CampaignTarget {
  if (!isPlainObject(target)) throw new InvalidCampaignError('target', 'is required: { users?, rooms?, where? }');
  const { users, rooms, where } = target;
  if (users === undefined && rooms === undefined && where === undefined) throw new InvalidCampaignError('target', 'must name users, rooms or a where condition');
  checkNames('target.users', users);
  checkNames('target.rooms', rooms);
  checkWhere(where);
}

/**
 * Checks everything of a spec that does not need the cluster: the target, the event, the data, the
 * expiry and the rate. The namespace is checked against the bound ones by the service.
 *
 * @example
 * validateSpec(spec, { now: Date.now(), maxLifetimeMs: 24 * 3_600_000 }); // throws InvalidCampaignError
 */
export function validateSpec(spec: unknown, limits: SpecLimits): asserts spec is CampaignSpec {
  if (!isPlainObject(spec)) throw new InvalidCampaignError('spec', 'must be an object');
  validateTarget(spec.target);
  const { event, data, expiresAt, ratePerSecond, namespace } = spec;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length === 0)) throw new InvalidCampaignError('namespace', 'must be a non-empty string when given');
  if (typeof event !== 'string' || event.length === 0) throw new InvalidCampaignError('event', 'must be a non-empty string');
  // `rs:` events are the protocol's own; the client would treat the message as a protocol packet.
  if (event.startsWith('rs:')) throw new InvalidCampaignError('event', `"${event}": names starting with "rs:" are reserved`);
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new InvalidCampaignError('data', `must be JSON-serialisable (${(error as Error).message})`);
  }
  if (json === undefined) throw new InvalidCampaignError('data', 'must be JSON-serialisable (use null for no data)');
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw new InvalidCampaignError('expiresAt', 'must be a time in ms since the epoch');
  if (expiresAt <= limits.now) throw new InvalidCampaignError('expiresAt', `must be in the future (it is ${limits.now - expiresAt} ms in the past)`);
  if (expiresAt - limits.now > limits.maxLifetimeMs) {
    throw new InvalidCampaignError('expiresAt', `must be within ${limits.maxLifetimeMs} ms (the idempotency window and message retention)`);
  }
  if (ratePerSecond !== undefined && (typeof ratePerSecond !== 'number' || !Number.isFinite(ratePerSecond) || ratePerSecond <= 0)) {
    throw new InvalidCampaignError('ratePerSecond', `must be a positive number of recipients per second, got ${String(ratePerSecond)}`);
  }
}
