import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { coalesceWritesPerTurn } from './turn-writes.coalescer.js';

const url = redisUrl();
const prefix = testKeyPrefix('turn-writes');

type Flush = (...args: never[]) => void;

/** Counts what the socket hands to the OS (`_write` / `_writev`, below any corking) from now on. */
function countFlushes(socket: Socket): () => number {
  let flushes = 0;
  const internals = socket as unknown as Record<'_write' | '_writev', Flush>;
  for (const method of ['_write', '_writev'] as const) {
    const original = internals[method];
    internals[method] = function (this: Socket, ...args: never[]) {
      flushes += 1;
      return original.apply(this, args);
    };
  }
  return () => flushes;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('coalesceWritesPerTurn', () => {
  let client: Redis;

  beforeAll(async () => {
    client = new Redis(url, { enableAutoPipelining: false });
    coalesceWritesPerTurn(client);
    await client.ping();
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(url, prefix);
    await client.quit();
  });

  it('sends the commands of one turn in one write, in order, each with its own reply', async () => {
    const flushes = countFlushes(client.stream);
    const key = `${prefix}one-turn`;
    const replies = await Promise.all([client.set(key, 'a'), client.append(key, 'b'), client.get(key), client.incr(`${prefix}counter`)]);
    expect(replies).toEqual(['OK', 2, 'ab', 1]);
    expect(flushes()).toBe(1);
  });

  it('does not hold a command past its turn: one write per turn', async () => {
    const flushes = countFlushes(client.stream);
    const key = `${prefix}two-turns`;
    const first = client.incr(key);
    await nextTurn();
    expect(flushes()).toBe(1); // written before the second turn, not waiting for company
    const second = client.incr(key);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(flushes()).toBe(2);
  });

  it('coalesces on the socket of every reconnection too', async () => {
    const previous = client.stream;
    client.disconnect(true);
    await once(client, 'ready');
    expect(client.stream).not.toBe(previous);
    const flushes = countFlushes(client.stream);
    const key = `${prefix}reconnected`;
    expect(await Promise.all([client.set(key, '1'), client.incr(key), client.incr(key)])).toEqual(['OK', 2, 3]);
    expect(flushes()).toBe(1);
  });
});
