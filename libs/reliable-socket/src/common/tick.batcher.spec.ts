import { describe, expect, it } from '@jest/globals';
import { ItemFailure, TickBatcher } from './tick.batcher.js';

describe('TickBatcher', () => {
  it('settles the calls of one turn with one flush per group, each with its own result', async () => {
    const flushes: Array<[string, number[]]> = [];
    const batcher = new TickBatcher<number, number>(async (group, items) => {
      flushes.push([group, items]);
      return items.map((item) => item * 10);
    });
    const results = await Promise.all([batcher.add('a', 1), batcher.add('b', 2), batcher.add('a', 3)]);
    expect(results).toEqual([10, 20, 30]);
    expect(flushes).toEqual([['a', [1, 3]], ['b', [2]]]);
  });

  it('splits a group into chunks of maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new TickBatcher<number, number>(async (_, items) => {
      sizes.push(items.length);
      return items;
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.add('g', i)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('fails one item through ItemFailure and a whole chunk through a rejection', async () => {
    const batcher = new TickBatcher<number, number>(async (group, items) => {
      if (group === 'broken') throw new Error('store down');
      return items.map((item) => (item < 0 ? new ItemFailure(new Error(`bad ${item}`)) : item));
    });
    const outcomes = await Promise.allSettled([batcher.add('g', 1), batcher.add('g', -1), batcher.add('broken', 2), batcher.add('broken', 3)]);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([1, 'bad -1', 'store down', 'store down']);
  });

  it('starts a new batch for calls made after a flush began', async () => {
    let flushes = 0;
    const batcher = new TickBatcher<number, number>(async (_, items) => {
      flushes += 1;
      return items;
    });
    await batcher.add('g', 1);
    await batcher.add('g', 2);
    expect(flushes).toBe(2);
  });

  describe('oneFlushPerGroup (group commit)', () => {
    it('holds a group\'s new items while its flush is under way and sends them together when it settles', async () => {
      const flushes: Array<[string, number[]]> = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const batcher = new TickBatcher<number, number>(async (group, items) => {
        flushes.push([group, items]);
        if (flushes.length === 1) await gate;
        return items;
      }, { oneFlushPerGroup: true });
      const first = batcher.add('g', 1);
      await new Promise((resolve) => setImmediate(resolve)); // the first flush has started
      const later = [batcher.add('g', 2), batcher.add('other', 9)];
      await new Promise((resolve) => setImmediate(resolve));
      const more = batcher.add('g', 3);
      await new Promise((resolve) => setImmediate(resolve));
      expect(flushes).toEqual([['g', [1]], ['other', [9]]]); // g waits; other groups do not
      release();
      expect(await Promise.all([first, ...later, more])).toEqual([1, 2, 9, 3]);
      expect(flushes).toEqual([['g', [1]], ['other', [9]], ['g', [2, 3]]]);
    });

    it('goes on after a failed flush', async () => {
      let calls = 0;
      const batcher = new TickBatcher<number, number>(async (_, items) => {
        calls += 1;
        if (calls === 1) throw new Error('store down');
        return items;
      }, { oneFlushPerGroup: true });
      await expect(batcher.add('g', 1)).rejects.toThrow('store down');
      await expect(batcher.add('g', 2)).resolves.toBe(2);
    });
  });
});
