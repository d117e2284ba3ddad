import { describe, expect, it } from '@jest/globals';
import { JsonRecord } from './json.record.js';
import { MemoryStorage } from './memory.storage.js';
import type { StorageLike } from './storage-like.interface.js';

const KEY = 'rs:test:record';

/** Counts writes and can fail them. */
class CountingStorage extends MemoryStorage {
  readonly writes: string[] = [];
  failNext = false;

  override setItem(key: string, value: string): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('QuotaExceededError');
    }
    this.writes.push(value);
    super.setItem(key, value);
  }
}

/** An async storage whose writes complete when the test says so. */
class SlowStorage implements StorageLike {
  readonly data = new Map<string, string>();
  readonly writes: Array<{ value: string; finish(): void }> = [];
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    return new Promise<void>((resolve) => {
      this.writes.push({ value, finish: () => { this.data.set(key, value); resolve(); } });
    });
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

describe('JsonRecord', () => {
  it('stores JSON.stringify of the state by default, and reads it back parsed', async () => {
    const storage = new MemoryStorage();
    const state = { a: { epoch: 'e', offset: 3 } };
    const record = new JsonRecord(storage, KEY, () => state);
    expect(await record.read()).toBeUndefined();
    await record.save();
    expect(storage.getItem(KEY)).toBe(JSON.stringify(state));
    expect(await record.read()).toEqual(state);
  });

  it('stores the text `stringify` makes of the state, made when the write starts', async () => {
    const storage = new MemoryStorage();
    let parts = ['1'];
    const record = new JsonRecord(storage, KEY, () => parts, (state) => `[${state.join(',')}]`);
    const write = record.save();
    parts = ['1', '2'];
    await write;
    expect(storage.getItem(KEY)).toBe('[1,2]');
    expect(await record.read()).toEqual([1, 2]);
  });

  it('serializes writes; the changes made while one is under way share the next, which serializes them when it starts', async () => {
    const storage = new SlowStorage();
    const state: number[] = [1];
    const record = new JsonRecord(storage, KEY, () => state, (numbers) => `[${numbers.join(',')}]`);
    const first = record.save();
    await Promise.resolve();
    state.push(2);
    const second = record.save();
    state.push(3);
    expect(record.save()).toBe(second);
    expect(storage.writes.map((w) => w.value)).toEqual(['[1]']);
    let flushed = false;
    void record.flushed().then(() => (flushed = true));
    storage.writes[0].finish();
    await first;
    state.push(4); // still before the second write starts
    await Promise.resolve();
    expect(storage.writes.map((w) => w.value)).toEqual(['[1]', '[1,2,3,4]']);
    expect(flushed).toBe(false); // flushed() waits for the write queued when it was called
    storage.writes[1].finish();
    await second;
    await record.flushed();
    expect(flushed).toBe(true);
    expect(storage.data.get(KEY)).toBe('[1,2,3,4]');
  });

  it('rejects the save of a failed write, and the next write goes on', async () => {
    const storage = new CountingStorage();
    const record = new JsonRecord(storage, KEY, () => 1);
    storage.failNext = true;
    await expect(record.save()).rejects.toThrow('QuotaExceededError');
    await record.save();
    expect(storage.writes).toEqual(['1']);
  });

  it('reports an unreadable storage and invalid JSON', async () => {
    const broken: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    await expect(new JsonRecord(broken, KEY, () => 1).read()).rejects.toThrow(`cannot read ${KEY}`);
    const storage = new MemoryStorage();
    storage.setItem(KEY, '{nope');
    await expect(new JsonRecord(storage, KEY, () => 1).read()).rejects.toThrow(`${KEY} holds invalid JSON`);
  });
});
