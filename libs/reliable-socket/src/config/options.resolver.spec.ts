import { describe, it } from '@jest/globals';
import { InvalidOptionError } from './invalid-option.error.js';
import { DEFAULT_OPTIONS, resolveOptions } from './options.resolver.js';

const authenticate = () => ({ id: 'u' });

describe('resolveOptions', () => {
  it('merges the documented defaults', () => {
    const resolved = resolveOptions({ authenticate });
    expect(resolved).toMatchObject({
      allowAnonymous: false,
      retention: { maxLength: 10_000, maxAgeMs: 86_400_000 },
      keyPrefix: 'rs:',
      heartbeat: { pingIntervalMs: 10_000, pingTimeoutMs: 5_000 },
      replayPageSize: 500,
      redisTimeoutMs: 5_000,
    });
    expect(resolved.redis).toBeUndefined();
  });

  it('keeps defaults for fields given as undefined and overrides the rest', () => {
    const resolved = resolveOptions({ authenticate, heartbeat: { pingIntervalMs: undefined, pingTimeoutMs: 700 }, retention: { maxLength: 5 } });
    expect(resolved.heartbeat).toEqual({ pingIntervalMs: DEFAULT_OPTIONS.heartbeat.pingIntervalMs, pingTimeoutMs: 700 });
    expect(resolved.retention).toEqual({ maxLength: 5, maxAgeMs: DEFAULT_OPTIONS.retention.maxAgeMs });
  });

  it('accepts anonymous mode without authenticate', () => {
    expect(resolveOptions({ allowAnonymous: true }).allowAnonymous).toBe(true);
  });

  it.each([
    [{}, 'authenticate', 'required unless allowAnonymous'],
    [{ authenticate: 'yes' }, 'authenticate', 'expected a function'],
    [{ authenticate, redis: 'localhost:6379' }, 'redis', 'redis:// or rediss://'],
    [{ authenticate, redis: 42 }, 'redis', 'redis:// or rediss://'],
    [{ authenticate, retention: { maxLength: 0 } }, 'retention.maxLength', 'positive integer'],
    [{ authenticate, retention: { maxAgeMs: 1.5 } }, 'retention.maxAgeMs', 'positive integer'],
    [{ authenticate, retention: [] }, 'retention', 'expected an object'],
    [{ authenticate, heartbeat: { pingTimeoutMs: -1 } }, 'heartbeat.pingTimeoutMs', 'positive integer'],
    [{ authenticate, keyPrefix: 'a{b}' }, 'keyPrefix', 'hash tags'],
    [{ authenticate, replayPageSize: 'many' }, 'replayPageSize', 'positive integer'],
    [{ authenticate, defaultNamespace: 'chat' }, 'defaultNamespace', 'starting with "/"'],
    [{ authenticate, allowAnonymous: 'true' }, 'allowAnonymous', 'boolean'],
    [{ authenticate, redisTimeoutMs: 0 }, 'redisTimeoutMs', 'positive integer'],
    [{ authenticate, redisTimeoutMs: '5s' }, 'redisTimeoutMs', 'positive integer'],
  ])('rejects %j naming the option %s', (options, option, problem) => {
    let thrown: unknown;
    try {
      resolveOptions(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect((thrown as InvalidOptionError).option).toBe(option);
    expect((thrown as Error).message).toContain(`"${option}"`);
    expect((thrown as Error).message).toContain(problem);
  });
});
