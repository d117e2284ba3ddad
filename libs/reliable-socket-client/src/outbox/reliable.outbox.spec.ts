import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { SendEnvelope } from '../protocol.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import { MemoryStorage } from '../storage/memory.storage.js';
import type { StorageLike } from '../storage/storage-like.interface.js';
import { ReliableOutbox, type ReliableOutboxOptions } from './reliable.outbox.js';
import { ReliableSendError } from './send.error.js';

const BASE = 'rs:test';
const OUTBOX_KEY = `${BASE}:outbox`;

interface Attempt {
  event: string;
  envelope: SendEnvelope;
  reply(reply: unknown): void;
  fail(): void;
}

class FakeTransport {
  connected = true;
  readonly attempts: Attempt[] = [];
  /** What storage held at each emit: the message must be stored before it leaves. */
  readonly storedAtEmit: string[] = [];
  constructor(private readonly storage: StorageLike) {}
  isConnected = () => this.connected;
  emit = (event: string, envelope: SendEnvelope) => {
    this.storedAtEmit.push(String(this.storage.getItem(OUTBOX_KEY)));
    return new Promise<unknown>((resolve, reject) => {
      this.attempts.push({ event, envelope, reply: resolve, fail: () => reject(new Error('timeout')) });
    });
  };
  latest(id: string): Attempt {
    return this.attempts.filter((a) => a.envelope.id === id).at(-1)!;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function harness(storage: StorageLike = new MemoryStorage(), options: Partial<ReliableOutboxOptions> = {}) {
  const lifecycle = new TypedEmitter<LifecycleEvents>();
  const transport = new FakeTransport(storage);
  const outbox = new ReliableOutbox({ storage, storageKey: BASE, maxInFlight: 32, ackTimeoutMs: 1000, sendTimeoutMs: undefined, ...options }, transport, lifecycle);
  const sent: LifecycleEvents['sent'][] = [];
  const errors: LifecycleEvents['error'][] = [];
  lifecycle.on('sent', (event) => sent.push(event));
  lifecycle.on('error', (event) => errors.push(event));
  return { storage, transport, outbox, sent, errors };
}

/** Resolves to the rejection of `promise`, failing if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<ReliableSendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ReliableSendError);
    return error as ReliableSendError;
  }
  throw new Error('expected a rejection');
}

describe('ReliableOutbox', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('stores a message before emitting it, resolves with the result, then drops it from storage', async () => {
    const h = harness();
    const result = h.outbox.send<{ saved: number }>('note:save', { text: 'hi', at: new Date(0) });
    await settle();
    const [attempt] = h.transport.attempts;
    expect(attempt.event).toBe('note:save');
    expect(attempt.envelope).toEqual({ id: expect.any(String), sid: expect.any(String), seq: 1, data: { text: 'hi', at: '1970-01-01T00:00:00.000Z' } });
    expect(JSON.parse(h.transport.storedAtEmit[0]).messages).toEqual([expect.objectContaining({ id: attempt.envelope.id })]);
    expect(await h.outbox.pending()).toHaveLength(1);
    attempt.reply({ ok: true, result: { saved: 7 } });
    await expect(result).resolves.toEqual({ saved: 7 });
    expect(JSON.parse(h.storage.getItem(OUTBOX_KEY) as string).messages).toEqual([]);
    expect(await h.outbox.pending()).toEqual([]);
    expect(h.sent).toEqual([{ id: attempt.envelope.id, event: 'note:save', result: { saved: 7 } }]);
  });

  it('numbers each event separately under one sender id', async () => {
    const h = harness();
    void h.outbox.send('a', 1);
    void h.outbox.send('b', 1);
    void h.outbox.send('a', 2);
    await settle();
    expect(h.transport.attempts.map((a) => [a.event, a.envelope.seq])).toEqual([['a', 1], ['b', 1], ['a', 2]]);
    expect(new Set(h.transport.attempts.map((a) => a.envelope.sid)).size).toBe(1);
  });

  it('rejects with the server error (code, message, details), removes the message and never retries it', async () => {
    const h = harness();
    const result = h.outbox.send('order:place', { sku: 'X' });
    await settle();
    const attempt = h.transport.attempts[0];
    attempt.reply({ ok: false, error: { code: 'OUT_OF_STOCK', message: 'sold out', details: { sku: 'X' } } });
    const error = await rejection(result);
    expect(error).toMatchObject({ code: 'OUT_OF_STOCK', message: 'sold out', details: { sku: 'X' }, id: attempt.envelope.id, event: 'order:place' });
    h.outbox.disconnected();
    h.outbox.connected();
    expect(h.transport.attempts).toHaveLength(1);
    expect(await h.outbox.pending()).toEqual([]);
    expect(h.errors).toEqual([]); // the rejection is the report
  });

  it('rejects with TIMEOUT after timeoutMs but keeps the message queued and retried until it is acked', async () => {
    jest.useFakeTimers();
    const h = harness(new MemoryStorage(), { sendTimeoutMs: 60_000 });
    const result = h.outbox.send('op', 1, { timeoutMs: 500 });
    const outcome = rejection(result);
    await jest.advanceTimersByTimeAsync(1);
    const id = h.transport.attempts[0].envelope.id;
    await jest.advanceTimersByTimeAsync(500);
    const error = await outcome;
    expect(error).toMatchObject({ code: 'TIMEOUT', id, event: 'op' });
    expect((await h.outbox.pending()).map((m) => m.id)).toEqual([id]);
    h.transport.latest(id).fail(); // the ack timeout of the attempt: resent
    await jest.advanceTimersByTimeAsync(1);
    expect(h.transport.attempts).toHaveLength(2);
    h.transport.latest(id).reply({ ok: true, result: 'late' });
    await jest.advanceTimersByTimeAsync(1);
    expect(await h.outbox.pending()).toEqual([]);
    expect(h.sent).toEqual([{ id, event: 'op', result: 'late' }]);
  });

  it('uses sendTimeoutMs when send() has no timeoutMs', async () => {
    jest.useFakeTimers();
    const h = harness(new MemoryStorage(), { sendTimeoutMs: 300 });
    const outcome = rejection(h.outbox.send('op', 1));
    await jest.advanceTimersByTimeAsync(300);
    expect((await outcome).code).toBe('TIMEOUT');
  });

  it('cancel() drops a pending message: CANCELLED, no resend, late reply ignored; false when unknown', async () => {
    const h = harness();
    const result = h.outbox.send('op', 1);
    await settle();
    const id = h.transport.attempts[0].envelope.id;
    await expect(h.outbox.cancel(id)).resolves.toBe(true);
    expect(await rejection(result)).toMatchObject({ code: 'CANCELLED', id });
    expect(JSON.parse(h.storage.getItem(OUTBOX_KEY) as string).messages).toEqual([]);
    h.transport.latest(id).reply({ ok: true, result: 'ran anyway' });
    h.outbox.disconnected();
    h.outbox.connected();
    await settle();
    expect(h.transport.attempts).toHaveLength(1);
    expect(h.sent).toEqual([]);
    await expect(h.outbox.cancel(id)).resolves.toBe(false);
    await expect(h.outbox.cancel('nope')).resolves.toBe(false);
  });

  it('restores the stored outbox: pending() lists it, it is resent, and outcomes go to the lifecycle', async () => {
    const storage = new MemoryStorage();
    const first = harness(storage);
    first.transport.connected = false;
    const lost = [first.outbox.send('op', 'a'), first.outbox.send('op', 'b'), first.outbox.send('other', 'c')];
    await settle();
    await first.outbox.close();
    for (const promise of lost) expect((await rejection(promise)).code).toBe('UNAVAILABLE');

    const second = harness(storage);
    second.transport.connected = false;
    const pending = await second.outbox.pending();
    expect(pending.map((m) => [m.event, m.data, m.seq])).toEqual([['op', 'a', 1], ['op', 'b', 2], ['other', 'c', 1]]);
    expect(second.transport.attempts).toEqual([]);
    second.transport.connected = true;
    second.outbox.connected();
    expect(second.transport.attempts.map((a) => a.envelope.id)).toEqual(pending.map((m) => m.id));
    second.transport.attempts[0].reply({ ok: true, result: 'A' });
    second.transport.attempts[1].reply({ ok: false, error: { code: 'FORBIDDEN', message: 'nope' } });
    await settle();
    expect(second.sent).toEqual([{ id: pending[0].id, event: 'op', result: 'A' }]);
    expect(second.errors).toEqual([expect.objectContaining({ code: 'FORBIDDEN', id: pending[1].id })]);
    expect((await second.outbox.pending()).map((m) => m.id)).toEqual([pending[2].id]);
    void second.outbox.send('op', 'd'); // the counter goes on after the restored ones
    await settle();
    expect(second.transport.attempts.at(-1)!.envelope.seq).toBe(3);
  });

  it('reports a corrupt stored outbox on the lifecycle and starts empty', async () => {
    const storage = new MemoryStorage();
    storage.setItem(OUTBOX_KEY, '{oops');
    const h = harness(storage);
    expect(await h.outbox.pending()).toEqual([]);
    expect(h.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('invalid JSON') })]);
  });

  it('reports a failed write and still sends the message', async () => {
    const data = new Map<string, string>();
    const storage: StorageLike = {
      getItem: (key) => data.get(key) ?? null,
      setItem: (key, value) => {
        if (key === OUTBOX_KEY) throw new Error('QuotaExceededError');
        data.set(key, value);
      },
      removeItem: () => undefined,
    };
    const h = harness(storage);
    const result = h.outbox.send('op', 1);
    await settle();
    expect(h.errors).toEqual([expect.objectContaining({ message: `cannot write ${OUTBOX_KEY}` })]);
    h.transport.attempts[0].reply({ ok: true, result: 1 });
    await expect(result).resolves.toBe(1);
  });

  it('emits each message of a burst only once it is stored: an outbox loaded at its emit finds it', async () => {
    const h = harness();
    const reloadedAtEmit: Array<Promise<string[]>> = [];
    const emit = h.transport.emit;
    h.transport.emit = (event, envelope) => {
      // A page reload at this very moment: a new outbox over what storage holds now.
      const snapshot = new MemoryStorage();
      for (const key of [OUTBOX_KEY, `${BASE}:sid`]) snapshot.setItem(key, h.storage.getItem(key) as string);
      reloadedAtEmit.push(harness(snapshot).outbox.pending().then((pending) => pending.map((m) => m.id)));
      return emit(event, envelope);
    };
    const results = Array.from({ length: 5 }, (_, n) => h.outbox.send('op', { n }));
    await settle();
    const ids = h.transport.attempts.map((a) => a.envelope.id);
    expect(ids).toHaveLength(5);
    const found = await Promise.all(reloadedAtEmit);
    ids.forEach((id, n) => expect(found[n]).toContain(id));
    h.transport.attempts.forEach((a) => a.reply({ ok: true, result: a.envelope.seq }));
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(await harness(h.storage).outbox.pending()).toEqual([]);
  });

  it('close() right after send() waits for the write: a later outbox restores the message', async () => {
    const storage = new MemoryStorage();
    const first = harness(storage);
    await first.outbox.pending(); // loaded
    const lost = rejection(first.outbox.send('op', { n: 1 }));
    await first.outbox.close();
    expect((await lost).code).toBe('UNAVAILABLE');
    expect((await harness(storage).outbox.pending()).map((m) => m.data)).toEqual([{ n: 1 }]);
  });

  it('reports a failed write once, sends every message of it, and writes again on the next change', async () => {
    const data = new Map<string, string>();
    let failing = true;
    const storage: StorageLike = {
      getItem: (key) => data.get(key) ?? null,
      setItem: (key, value) => {
        if (key === OUTBOX_KEY && failing) throw new Error('QuotaExceededError');
        data.set(key, value);
      },
      removeItem: () => undefined,
    };
    const h = harness(storage);
    const results = [h.outbox.send('op', 1), h.outbox.send('op', 2)];
    await settle();
    expect(h.errors).toEqual([expect.objectContaining({ message: `cannot write ${OUTBOX_KEY}`, cause: expect.objectContaining({ message: 'QuotaExceededError' }) })]);
    expect(h.transport.attempts).toHaveLength(2);
    failing = false;
    h.transport.attempts[0].reply({ ok: true, result: 1 });
    await expect(results[0]).resolves.toBe(1);
    expect(JSON.parse(data.get(OUTBOX_KEY)!).messages.map((m: { data: number }) => m.data)).toEqual([2]);
  });

  it('gives each send its own timeoutMs, and leaves no timer behind once every send has its outcome', async () => {
    jest.useFakeTimers();
    const h = harness();
    const slow = rejection(h.outbox.send('op', 1, { timeoutMs: 300 }));
    const fast = rejection(h.outbox.send('op', 2, { timeoutMs: 100 }));
    const acked = h.outbox.send('op', 3, { timeoutMs: 100 });
    const untimed = h.outbox.send('op', 4);
    await jest.advanceTimersByTimeAsync(1);
    h.transport.attempts[2].reply({ ok: true, result: 'in time' });
    await expect(acked).resolves.toBe('in time');
    let fastFailed = false;
    void fast.then(() => (fastFailed = true));
    await jest.advanceTimersByTimeAsync(98);
    expect(fastFailed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await fast).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('within 100 ms') });
    let slowFailed = false;
    void slow.then(() => (slowFailed = true));
    await jest.advanceTimersByTimeAsync(199);
    expect(slowFailed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await slow).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('within 300 ms') });
    h.transport.attempts[3].reply({ ok: true, result: 'no deadline' });
    await expect(untimed).resolves.toBe('no deadline');
    expect(jest.getTimerCount()).toBe(0);
    expect((await h.outbox.pending()).map((m) => m.data)).toEqual([1, 2]); // timed out, still queued
  });

  it('refuses invalid event names and data that cannot be stored, queueing nothing', async () => {
    const h = harness();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [event, data] of [['', 1], ['rs:ack', 1], ['disconnect', 1], ['op', cyclic], ['op', 10n]] as const) {
      expect((await rejection(h.outbox.send(event, data))).code).toBe('BAD_REQUEST');
    }
    expect(await h.outbox.pending()).toEqual([]);
    expect(h.transport.attempts).toEqual([]);
  });

  it('after close() rejects send() with UNAVAILABLE until reopened', async () => {
    const h = harness();
    await h.outbox.close();
    expect((await rejection(h.outbox.send('op', 1))).code).toBe('UNAVAILABLE');
    h.outbox.reopen();
    void h.outbox.send('op', 2);
    await settle();
    expect(h.transport.attempts).toHaveLength(1);
  });

  it('pending() hands out copies', async () => {
    const h = harness();
    void h.outbox.send('op', { n: 1 });
    await settle();
    const [listed] = await h.outbox.pending();
    (listed.data as { n: number }).n = 2;
    expect((await h.outbox.pending())[0].data).toEqual({ n: 1 });
  });
});
