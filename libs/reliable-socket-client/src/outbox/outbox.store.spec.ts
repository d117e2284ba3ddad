import { describe, expect, it } from '@jest/globals';
import { MemoryStorage } from '../storage/memory.storage.js';
import type { StorageLike } from '../storage/storage-like.interface.js';
import { OutboxStore } from './outbox.store.js';

const KEYS = { outbox: 'rs:test:outbox', sid: 'rs:test:sid' };

/** An async storage whose writes complete when the test says so. */
class SlowStorage implements StorageLike {
  readonly data = new Map<string, string>();
  readonly writes: Array<{ key: string; value: string; finish: () => void }> = [];
  async getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    return new Promise<void>((resolve) => {
      this.writes.push({ key, value, finish: () => { this.data.set(key, value); resolve(); } });
    });
  }
  async removeItem(key: string) {
    this.data.delete(key);
  }
}

let counter = 0;
const ids = () => `id-${(counter += 1)}`;

async function loaded(storage: StorageLike, newId: () => string = ids) {
  const errors: string[] = [];
  const store = new OutboxStore(storage, KEYS, (message) => errors.push(message), newId, () => 1000);
  await store.load();
  return { store, errors };
}

const stored = (storage: MemoryStorage) => JSON.parse(storage.getItem(KEYS.outbox)!);

describe('OutboxStore', () => {
  it('persists messages in send order and restores them after a reload', async () => {
    const storage = new MemoryStorage();
    const { store } = await loaded(storage);
    const a = store.add('note', '{"text":"a"}');
    const b = store.add('order', '[1,2]');
    const c = store.add('note', 'null');
    await store.save();
    expect(a).toEqual({ id: a.id, sid: store.sid, event: 'note', data: { text: 'a' }, seq: 1, createdAt: 1000 });
    const reloaded = (await loaded(storage)).store;
    expect(reloaded.list()).toEqual([a, b, c]);
    expect(reloaded.sid).toBe(store.sid);
    expect(reloaded.remove(b.id)).toBe(true);
    expect(reloaded.remove(b.id)).toBe(false);
    await reloaded.save();
    expect((await loaded(storage)).store.list().map((m) => m.id)).toEqual([a.id, c.id]);
  });

  it('numbers each event 1, 2, 3 … and keeps counting after a reload, even once the outbox drained', async () => {
    const storage = new MemoryStorage();
    const { store } = await loaded(storage);
    expect([store.add('a', '1').seq, store.add('b', '1').seq, store.add('a', '2').seq, store.add('a', '3').seq]).toEqual([1, 1, 2, 3]);
    for (const message of store.list()) store.remove(message.id);
    await store.save();
    expect(stored(storage)).toEqual({ sid: store.sid, seqs: { a: 3, b: 1 }, messages: [] });
    const reloaded = (await loaded(storage)).store;
    expect([reloaded.add('a', '4').seq, reloaded.add('b', '2').seq, reloaded.add('c', '1').seq]).toEqual([4, 2, 1]);
  });

  it('creates the sender id once per storage and stores it under its own key', async () => {
    const storage = new MemoryStorage();
    const first = (await loaded(storage, () => 'sid-1')).store;
    expect(first.sid).toBe('sid-1');
    expect(JSON.parse(storage.getItem(KEYS.sid)!)).toBe('sid-1');
    const second = (await loaded(storage, () => 'sid-2')).store;
    expect(second.sid).toBe('sid-1'); // not drawn again
    expect(second.add('e', '0').sid).toBe('sid-1');
    const other = (await loaded(new MemoryStorage(), () => 'sid-3')).store;
    expect(other.sid).toBe('sid-3');
  });

  it('keeps the sender id of the outbox when its own key was lost, since the counters belong to it', async () => {
    const storage = new MemoryStorage();
    const { store } = await loaded(storage, () => 'sid-1');
    store.add('e', '0');
    await store.save();
    storage.removeItem(KEYS.sid);
    const reloaded = (await loaded(storage, () => 'sid-2')).store;
    expect(reloaded.sid).toBe('sid-1');
    expect(reloaded.add('e', '1').seq).toBe(2);
    expect(JSON.parse(storage.getItem(KEYS.sid)!)).toBe('sid-1');
  });

  it('starts empty on corrupt JSON, reports it, and moves to a new sender id (its counters are lost)', async () => {
    const storage = new MemoryStorage();
    (await loaded(storage, () => 'sid-1')).store.add('e', '0');
    storage.setItem(KEYS.outbox, '{not json');
    const { store, errors } = await loaded(storage, () => 'sid-2');
    expect(store.list()).toEqual([]);
    expect(errors).toEqual([expect.stringContaining('invalid JSON')]);
    expect(store.sid).toBe('sid-2');
    expect(store.add('e', '0')).toMatchObject({ sid: 'sid-2', seq: 1 });
    expect(JSON.parse(storage.getItem(KEYS.sid)!)).toBe('sid-2');
  });

  it('keeps the valid messages of a partly damaged outbox; damaged counters mean a new sender id', async () => {
    const storage = new MemoryStorage();
    const good = { id: 'm1', sid: 'old', event: 'e', data: { x: 1 }, seq: 4, createdAt: 5 };
    storage.setItem(KEYS.sid, JSON.stringify('old'));
    storage.setItem(KEYS.outbox, JSON.stringify({ sid: 'old', seqs: { e: 4 }, messages: [good, { id: 'm2', seq: 'x' }, 7] }));
    const partial = await loaded(storage, () => 'new');
    expect(partial.store.list()).toEqual([good]);
    expect(partial.store.sid).toBe('old');
    expect(partial.errors).toEqual([expect.stringContaining('2 malformed')]);
    storage.setItem(KEYS.outbox, JSON.stringify({ sid: 'old', seqs: { e: -1 }, messages: [good] }));
    const counters = await loaded(storage, () => 'new');
    expect(counters.store.sid).toBe('new');
    expect(counters.store.list()).toEqual([good]); // resent under the (sid, seq) it was numbered with
    expect(counters.store.add('e', '0')).toMatchObject({ sid: 'new', seq: 1 });
    expect(counters.errors).toEqual([expect.stringContaining('seq counters')]);
  });

  it('reports something that is not an outbox, and an unreadable storage, and starts empty', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEYS.outbox, '[1,2]');
    storage.setItem(KEYS.sid, '42');
    const wrong = await loaded(storage, () => 'fresh');
    expect(wrong.store.list()).toEqual([]);
    expect(wrong.store.sid).toBe('fresh');
    expect(wrong.errors).toHaveLength(2); // the sid and the outbox
    const broken: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    const unreadable = await loaded(broken, () => 'fresh');
    expect(unreadable.store.list()).toEqual([]);
    expect(unreadable.errors.length).toBeGreaterThanOrEqual(1);
  });

  it('serializes writes, so an older outbox never lands after a newer one, and coalesces queued ones', async () => {
    const storage = new SlowStorage();
    const store = new OutboxStore(storage, KEYS, () => undefined, ids);
    const loading = store.load();
    await new Promise((resolve) => setTimeout(resolve, 0));
    storage.writes.shift()!.finish(); // the new sender id
    await loading;
    const a = store.add('e', '"a"');
    const w1 = store.save();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const b = store.add('e', '"b"');
    const w2 = store.save();
    store.remove(a.id);
    const w3 = store.save();
    expect(storage.writes).toHaveLength(1); // the second write waits for the first
    storage.writes[0].finish();
    await w1;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(storage.writes).toHaveLength(2); // b and the removal of a share one write
    expect(JSON.parse(storage.writes[1].value).messages).toEqual([b]);
    storage.writes[1].finish();
    await Promise.all([w2, w3]);
    expect(JSON.parse(storage.data.get(KEYS.outbox)!).messages).toEqual([b]);
    await store.flushed();
  });

  it('stores exactly JSON.stringify of its state: restored messages, added ones, after removals', async () => {
    const storage = new MemoryStorage();
    const restored = { id: 'r1', sid: 'S', event: 'e', data: { deep: [1, { x: 'y' }] }, seq: 4, createdAt: 5 };
    storage.setItem(KEYS.outbox, JSON.stringify({ sid: 'S', seqs: { e: 4 }, messages: [restored] }));
    const { store } = await loaded(storage);
    const quoted = store.add('say "hi"\\n', '{"text":"caf\u00e9 \\"quoted\\""}');
    const removed = store.add('e', '[1,{"n":null}]');
    const last = store.add('2', 'null');
    store.remove(removed.id);
    await store.save();
    const state = { sid: 'S', seqs: { e: 5, 'say "hi"\\n': 1, 2: 1 }, messages: store.list() };
    expect(storage.getItem(KEYS.outbox)).toBe(JSON.stringify(state));
    expect(store.list().map((m) => m.id)).toEqual(['r1', quoted.id, last.id]);
    expect(quoted.data).toEqual({ text: 'café "quoted"' });
  });

  it('writes a burst of changes, made before the write starts, at once', async () => {
    const storage = new MemoryStorage();
    const { store } = await loaded(storage);
    const values: string[] = [];
    const setItem = storage.setItem.bind(storage);
    storage.setItem = (key, value) => {
      if (key === KEYS.outbox) values.push(value);
      setItem(key, value);
    };
    const saves = [];
    for (let n = 0; n < 5; n += 1) {
      store.add('e', String(n));
      saves.push(store.save());
    }
    store.remove(store.list()[0].id);
    saves.push(store.save());
    await Promise.all(saves);
    expect(values).toHaveLength(1);
    expect(JSON.parse(values[0]).messages.map((m: { data: number }) => m.data)).toEqual([1, 2, 3, 4]);
  });

  it('hands out deep copies in pending(), made from the stored text', async () => {
    const { store } = await loaded(new MemoryStorage());
    store.add('e', '{"n":{"deep":1}}');
    const [listed] = store.pending();
    expect(listed).toEqual({ id: expect.any(String), event: 'e', data: { n: { deep: 1 } }, seq: 1, createdAt: 1000 });
    (listed.data as { n: { deep: number } }).n.deep = 2;
    expect(store.pending()[0].data).toEqual({ n: { deep: 1 } });
    expect(store.list()[0].data).toEqual({ n: { deep: 1 } });
  });

  it('hands out copies, not its own objects', async () => {
    const { store } = await loaded(new MemoryStorage());
    const added = store.add('e', '{"n":1}');
    added.seq = 99;
    store.list()[0].event = 'changed';
    expect(store.list()[0]).toMatchObject({ event: 'e', seq: 1 });
  });
});
