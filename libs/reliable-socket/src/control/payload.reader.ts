import { ReliableControlError } from './reliable-control.error.js';

/** Same character set and length as a reliable client message id (docs/protocol.md §8); a UUID fits. */
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Longest user id, room, namespace, event or campaign id accepted: names, not documents. */
const MAX_NAME_LENGTH = 1_024;
/** Longest list of users or rooms in one command. */
const MAX_LIST_LENGTH = 10_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;

/**
 * Reads the fields of one command payload, failing on the first problem with a `BAD_REQUEST` that names
 * the command and the field. Payloads come from other services over the wire, so nothing is assumed:
 * every field is checked, and {@link finish} rejects fields nobody read, because a misspelt optional
 * field (`user` for `users`) would otherwise silently widen a broadcast to the whole namespace.
 *
 * @example
 * const reader = PayloadReader.of('disconnect', payload);
 * const command = reader.finish({ requestId: reader.requestId(), userId: reader.string('userId'), reason: reader.optionalString('reason') });
 */
export class PayloadReader {
  private readonly seen = new Set<string>();

  private constructor(
    private readonly command: string,
    private readonly payload: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** A reader over a command's payload, which must be an object. */
  static of(command: string, payload: unknown): PayloadReader {
    if (!isPlainObject(payload)) throw ReliableControlError.badRequest(`${command}: the payload must be an object, got ${describe(payload)}`);
    return new PayloadReader(command, payload, '');
  }

  /** The command's `requestId`: what makes it run once across the cluster. */
  requestId(): string {
    const value = this.take('requestId');
    if (value === undefined) throw this.invalid('requestId', 'is required (ReliableControlClient adds one to every command)');
    if (typeof value !== 'string' || !REQUEST_ID.test(value)) throw this.invalid('requestId', 'must be 1-128 characters of A-Z a-z 0-9 _ . : -', value);
    return value;
  }

  /** A required non-empty string of at most 1024 characters. */
  string(field: string): string {
    const value = this.take(field);
    if (value === undefined) throw this.invalid(field, 'is required');
    if (!isName(value)) throw this.invalid(field, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`, value);
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.has(field) ? this.string(field) : undefined;
  }

  /** A required list (at most 10,000 entries) of non-empty strings; may be empty. */
  stringList(field: string): string[] {
    const value = this.take(field);
    if (value === undefined) throw this.invalid(field, 'is required');
    if (!Array.isArray(value) || value.length > MAX_LIST_LENGTH || !value.every(isName)) {
      throw this.invalid(field, `must be an array of at most ${MAX_LIST_LENGTH} non-empty strings`, value);
    }
    return value;
  }

  optionalStringList(field: string): string[] | undefined {
    return this.has(field) ? this.stringList(field) : undefined;
  }

  optionalBoolean(field: string): boolean | undefined {
    if (!this.has(field)) return undefined;
    const value = this.take(field);
    if (typeof value !== 'boolean') throw this.invalid(field, 'must be a boolean', value);
    return value;
  }

  /** An optional integer within `[min, max]`. */
  optionalInteger(field: string, min: number, max: number): number | undefined {
    if (!this.has(field)) return undefined;
    const value = this.take(field);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw this.invalid(field, `must be an integer from ${min} to ${max}`, value);
    }
    return value;
  }

  /** A required positive finite number. */
  positiveNumber(field: string): number {
    const value = this.take(field);
    if (value === undefined) throw this.invalid(field, 'is required');
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw this.invalid(field, 'must be a positive number', value);
    return value;
  }

  optionalPositiveNumber(field: string): number | undefined {
    return this.has(field) ? this.positiveNumber(field) : undefined;
  }

  /** One of the listed strings. */
  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const value = this.take(field);
    if (value === undefined) throw this.invalid(field, `is required (one of ${values.join(', ')})`);
    if (!values.includes(value as T)) throw this.invalid(field, `must be one of ${values.join(', ')}`, value);
    return value as T;
  }

  /** Any JSON value, `null` included; only absence is refused. */
  value(field: string): unknown {
    const value = this.take(field);
    if (value === undefined) throw this.invalid(field, 'is required (null is allowed)');
    return value;
  }

  /** An optional object whose content is not checked here (e.g. a campaign's `where` filter). */
  optionalRecord(field: string): Record<string, unknown> | undefined {
    if (!this.has(field)) return undefined;
    const value = this.take(field);
    if (!isPlainObject(value)) throw this.invalid(field, 'must be an object', value);
    return value;
  }

  /** A reader over a required nested object; its own unknown fields are refused by its own {@link finish}. */
  nested(field: string): PayloadReader {
    const value = this.take(field);
    if (value === undefined) throw this.invalid(field, 'is required');
    if (!isPlainObject(value)) throw this.invalid(field, 'must be an object', value);
    return new PayloadReader(this.command, value, `${this.path}${field}.`);
  }

  /**
   * Refuses the fields that were not read, then hands back the parsed command without its absent
   * optional fields (`{ users: undefined }` would not survive JSON, and delegates must not see it either).
   */
  finish<T extends object>(parsed: T): T {
    const unknown = Object.keys(this.payload).filter((field) => !this.seen.has(field) && this.payload[field] !== undefined);
    if (unknown.length > 0) {
      const names = unknown.map((field) => `"${this.path}${field}"`).join(', ');
      throw ReliableControlError.badRequest(`${this.command}: unknown field${unknown.length > 1 ? 's' : ''} ${names}`);
    }
    return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as T;
  }

  /** Whether the field is present; `undefined` counts as absent, as it does once serialised to JSON. */
  private has(field: string): boolean {
    return this.payload[field] !== undefined;
  }

  private take(field: string): unknown {
    this.seen.add(field);
    return Object.hasOwn(this.payload, field) ? this.payload[field] : undefined;
  }

  /**
   * The `BAD_REQUEST` for a field that breaks a rule only its caller knows.
   *
   * @example
   * if (event.startsWith('rs:')) throw reader.invalid('event', 'is reserved', event);
   */
  invalid(field: string, rule: string, value?: unknown): ReliableControlError {
    const got = value === undefined ? '' : `, got ${describe(value)}`;
    return ReliableControlError.badRequest(`${this.command}: "${this.path}${field}" ${rule}${got}`);
  }
}

/** A short rendering of an offending value for an error message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
