import { InvalidOptionError } from '../config/invalid-option.error.js';
import { DEFAULT_PATTERN_PREFIX } from './control.contract.js';

/** Options of `ReliableControlModule.forRoot()`. */
export interface ReliableControlModuleOptions {
  /**
   * First part of every message pattern (`<prefix>.broadcast`, …). Business services must use the same
   * one (`ReliableControlClient`'s `patternPrefix`). Distinct prefixes keep several clusters sharing a
   * Redis apart. Characters `A-Z a-z 0-9 _ - : .`, no wildcard. @default 'reliable-socket'
   */
  patternPrefix?: string;
  /**
   * How long the node executing a command holds it before another node may take over. It is renewed
   * while the command runs, so it only runs out when that node dies: then the next node executes the
   * command (reliable emits are keyed by the request, so none is stored twice). @default 10_000
   */
  leaseMs?: number;
  /** How long a command's reply answers a repeat of its `requestId` (a caller's retry) without running it again. @default 3_600_000 (1 h) */
  resultTtlMs?: number;
}

export type ResolvedControlOptions = Required<ReliableControlModuleOptions>;

const PATTERN_PREFIX = /^[A-Za-z0-9_:.-]{1,100}$/;

/** Thrown at startup for a bad `ReliableControlModule` option; the message names the option. */
export class InvalidControlOptionError extends InvalidOptionError {
  constructor(option: string, problem: string) {
    super(option, problem);
    this.message = `ReliableControlModule: invalid option "${option}": ${problem}`;
  }
}

function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidControlOptionError(option, `expected a positive integer of milliseconds, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Merges defaults and validates, so a bad option stops the application at startup.
 *
 * @example
 * resolveControlOptions({ patternPrefix: 'chat-cluster' }); // { patternPrefix: 'chat-cluster', leaseMs: 10_000, resultTtlMs: 3_600_000 }
 */
export function resolveControlOptions(options: ReliableControlModuleOptions = {}): ResolvedControlOptions {
  const patternPrefix = options.patternPrefix ?? DEFAULT_PATTERN_PREFIX;
  // Wildcards would turn the server's subscriptions into patterns when the transport runs with `wildcards: true`.
  if (typeof patternPrefix !== 'string' || !PATTERN_PREFIX.test(patternPrefix)) {
    throw new InvalidControlOptionError('patternPrefix', `expected 1-100 characters of A-Z a-z 0-9 _ - : ., got ${JSON.stringify(patternPrefix)}`);
  }
  return {
    patternPrefix,
    leaseMs: positiveInteger('leaseMs', options.leaseMs, 10_000),
    resultTtlMs: positiveInteger('resultTtlMs', options.resultTtlMs, 3_600_000),
  };
}
