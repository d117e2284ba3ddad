import { describe, expect, it } from '@jest/globals';
import { CursorStore } from './cursor.store.js';
import { MemoryStorage } from './memory.storage.js';
import type { StorageLike } from './storage-like.interface.js';

const KEY = 'rs:test:cursors';

/** An async storage whose writes complete in an order the test controls. */
class SlowStorage implements StorageLike {
  readonly data = new Map<string, string>();
  readonly writes: Array<{ value: string; finish: () => void }> = [];
  async getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    return new Promise<void>((resolve) => {
      this.writes.push({ value, finish: () => { this.data.set(key, value); resolve(); } });
    });
  }
  async removeItem(key: string) {
    this.data.delete(key);
  }
}

function store(storage: StorageLike) {
  const errors: string[] = [];
  return { cursors: new CursorStore(storage, KEY, (message) => errors.push(message)), errors };
}

describe('CursorStore', () => {
  it('round-trips through a synchronous storage', async () => {
    const storage = new MemoryStorage();
    const first = store(storage).cursors;
    await first.load();
    await first.set('user:1', { epoch: 'E', offset: 3 });
    const second = store(storage).cursors;
    await second.load();
    expect(second.snapshot()).toEqual({ 'user:1': { epoch: 'E', offset: 3 } });
    expect(JSON.parse(storage.getItem(KEY)!)).toEqual({ 'user:1': { epoch: 'E', offset: 3 } });
  });

  it('round-trips through an asynchronous storage', async () => {
    const data = new Map<string, string>();
    const storage: StorageLike = {
      getItem: async (key) => data.get(key) ?? null,
      setItem: async (key, value) => void data.set(key, value),
      removeItem: async (key) => void data.delete(key),
    };
    const first = store(storage).cursors;
    await first.load();
    await first.set('a', { epoch: 'E', offset: 1 });
    await first.set('b', { epoch: 'F', offset: 2 });
    const second = store(storage).cursors;
    await second.load();
    expect(second.get('b')).toEqual({ epoch: 'F', offset: 2 });
    expect(second.get('missing')).toBeUndefined();
  });

  it('starts empty and reports corrupt JSON', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, '{not json');
    const { cursors, errors } = store(storage);
    await cursors.load();
    expect(cursors.snapshot()).toEqual({});
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('invalid JSON');
  });

  it('reports a non-object value and malformed entries, keeping the valid ones', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, '[1,2]');
    const array = store(storage);
    await array.cursors.load();
    expect(array.cursors.snapshot()).toEqual({});
    expect(array.errors).toHaveLength(1);
    storage.setItem(KEY, JSON.stringify({ ok: { epoch: 'E', offset: 2 }, bad: { epoch: 1, offset: 'x' }, neg: { epoch: 'E', offset: -1 } }));
    const mixed = store(storage);
    await mixed.cursors.load();
    expect(mixed.cursors.snapshot()).toEqual({ ok: { epoch: 'E', offset: 2 } });
    expect(mixed.errors).toEqual([expect.stringContaining('2 malformed')]);
  });

  it('reports a storage that cannot be read and starts empty', async () => {
    const storage: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    const { cursors, errors } = store(storage);
    await cursors.load();
    expect(cursors.snapshot()).toEqual({});
    expect(errors).toHaveLength(1);
  });

  it('serializes writes so an older snapshot never lands after a newer one, and coalesces queued ones', async () => {
    const storage = new SlowStorage();
    const { cursors } = store(storage);
    const w1 = cursors.set('a', { epoch: 'E', offset: 1 });
    await Promise.resolve();
    await Promise.resolve();
    const w2 = cursors.set('a', { epoch: 'E', offset: 2 });
    const w3 = cursors.set('a', { epoch: 'E', offset: 3 });
    expect(storage.writes).toHaveLength(1); // the second write waits for the first
    storage.writes[0].finish();
    await w1;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(storage.writes).toHaveLength(2); // 2 and 3 share one write
    expect(JSON.parse(storage.writes[1].value)).toEqual({ a: { epoch: 'E', offset: 3 } });
    storage.writes[1].finish();
    await Promise.all([w2, w3]);
    expect(JSON.parse(storage.data.get(KEY)!)).toEqual({ a: { epoch: 'E', offset: 3 } });
    await cursors.flushed();
  });

  it('rejects the write that failed and keeps writing afterwards', async () => {
    let fail = true;
    const data = new Map<string, string>();
    const storage: StorageLike = {
      getItem: () => null,
      setItem: (key, value) => {
        if (fail) throw new Error('QuotaExceededError');
        data.set(key, value);
      },
      removeItem: () => undefined,
    };
    const { cursors } = store(storage);
    await expect(cursors.set('a', { epoch: 'E', offset: 1 })).rejects.toThrow('QuotaExceededError');
    fail = false;
    await cursors.set('a', { epoch: 'E', offset: 2 });
    expect(JSON.parse(data.get(KEY)!)).toEqual({ a: { epoch: 'E', offset: 2 } });
  });

  it('hands out copies, not its own objects', async () => {
    const { cursors } = store(new MemoryStorage());
    await cursors.set('a', { epoch: 'E', offset: 1 });
    cursors.snapshot().a.offset = 99;
    cursors.get('a')!.offset = 98;
    expect(cursors.get('a')).toEqual({ epoch: 'E', offset: 1 });
  });
});
