import { describe, expect, it } from '@jest/globals';
import { InvalidOptionError } from '../config/invalid-option.error.js';
import { resolveControlOptions } from './control-module.options.js';

describe('resolveControlOptions', () => {
  it('applies the defaults', () => {
    expect(resolveControlOptions()).toEqual({ patternPrefix: 'reliable-socket', leaseMs: 10_000, resultTtlMs: 3_600_000 });
    expect(resolveControlOptions({ patternPrefix: 'cluster-a', leaseMs: 5_000 })).toEqual({ patternPrefix: 'cluster-a', leaseMs: 5_000, resultTtlMs: 3_600_000 });
  });

  it('refuses a bad option at startup, naming it', () => {
    expect(() => resolveControlOptions({ patternPrefix: 'chat.*' })).toThrow('ReliableControlModule: invalid option "patternPrefix": expected 1-100 characters of A-Z a-z 0-9 _ - : ., got "chat.*"');
    expect(() => resolveControlOptions({ patternPrefix: '' })).toThrow(InvalidOptionError);
    expect(() => resolveControlOptions({ leaseMs: 0 })).toThrow('ReliableControlModule: invalid option "leaseMs": expected a positive integer of milliseconds, got 0');
    expect(() => resolveControlOptions({ resultTtlMs: 1.5 })).toThrow(/"resultTtlMs"/);
  });
});
