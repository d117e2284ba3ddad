import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { defineLuaCommands } from './lua-commands.js';

interface TestCommands {
  /** INCRBY on KEYS[1] by ARGV[1]; fixed key count. */
  rsTestIncr(key: string, by: number): Promise<number>;
  /** Echoes its key count, keys first. */
  rsTestKeys(numberOfKeys: number, ...keys: string[]): Promise<string[]>;
  rsTestFail(key: string): Promise<never>;
}

const url = redisUrl();
const prefix = testKeyPrefix('lua-commands');
/** Unique to this run (the prefix in a comment), so Redis cannot know it yet: its first call meets NOSCRIPT. */
const INCR_LUA = `-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;

describe('defineLuaCommands', () => {
  let client: Redis;
  let commands: TestCommands;

  beforeAll(() => {
    client = new Redis(url, { enableAutoPipelining: true });
    commands = defineLuaCommands<TestCommands>(client, {
      rsTestIncr: { lua: INCR_LUA, numberOfKeys: 1 },
      rsTestKeys: { lua: 'return KEYS' },
      rsTestFail: { lua: "return redis.error_reply('ERR refused by the script')", numberOfKeys: 1 },
    });
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(url, prefix);
    await client.quit();
  });

  it('runs a script Redis does not know yet in the same call (as after a failover or SCRIPT FLUSH), then by its SHA', async () => {
    const sha = createHash('sha1').update(INCR_LUA).digest('hex');
    expect(await client.script('EXISTS', sha)).toEqual([0]);
    expect(await commands.rsTestIncr(`${prefix}n`, 2)).toBe(2);
    expect(await client.script('EXISTS', sha)).toEqual([1]);
    expect(await commands.rsTestIncr(`${prefix}n`, 3)).toBe(5);
  });

  it('runs a script with a fixed key count, and one taking the count first', async () => {
    expect(await commands.rsTestIncr(`${prefix}n`, 2)).toBe(7);
    expect(await commands.rsTestKeys(2, `${prefix}a`, `${prefix}b`)).toEqual([`${prefix}a`, `${prefix}b`]);
  });

  it('rejects with the script\'s own error', async () => {
    await expect(commands.rsTestFail(`${prefix}f`)).rejects.toThrow('refused by the script');
  });

  it('runs concurrent calls (auto-pipelined together) in call order', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => commands.rsTestIncr(`${prefix}p`, 1)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
