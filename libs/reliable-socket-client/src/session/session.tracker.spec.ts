import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { LifecycleEvents, ReliableErrorEvent } from '../lifecycle/lifecycle.events.js';
import { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import type { AuthSource } from '../reliable-client.options.js';
import type { SessionInfo } from './session-info.interface.js';
import { SessionTracker } from './session.tracker.js';

/** A socket whose requests are answered by `answer`, and whose server events the test fires. */
class FakeSocket {
  connected = true;
  readonly requests: Array<{ event: string; payload: unknown }> = [];
  answer: (payload: unknown) => Promise<unknown> = async () => ({ ok: true });
  private readonly listeners = new Map<string, Array<(payload?: unknown) => void>>();
  on(event: string, listener: (payload?: unknown) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  fire(event: string, payload?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }
  timeout() {
    return {
      emitWithAck: (event: string, payload: unknown) => {
        this.requests.push({ event, payload });
        return this.answer(payload);
      },
    };
  }
}

function harness(auth: AuthSource | undefined, refreshLeadMs = 1000) {
  const socket = new FakeSocket();
  const lifecycle = new TypedEmitter<LifecycleEvents>();
  const sessions: SessionInfo[] = [];
  const errors: ReliableErrorEvent[] = [];
  lifecycle.on('session', (s) => sessions.push(s));
  lifecycle.on('error', (e) => errors.push(e));
  const tracker = new SessionTracker(socket as unknown as Socket, { auth, refreshLeadMs, requestTimeoutMs: 100 }, lifecycle);
  return { socket, tracker, sessions, errors };
}

const flush = async () => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('SessionTracker', () => {
  it('exposes the announced session and emits it', () => {
    const h = harness(undefined);
    expect(h.tracker.session).toBeUndefined();
    h.socket.fire('rs:session', { userId: 'alice', expiresAt: 2_000_000 });
    expect(h.tracker.session).toEqual({ userId: 'alice', expiresAt: 2_000_000 });
    expect(h.sessions).toEqual([{ userId: 'alice', expiresAt: 2_000_000 }]);
    h.socket.fire('rs:session', { userId: 'alice' });
    expect(h.tracker.session).toEqual({ userId: 'alice' });
    h.socket.fire('rs:session', { user: 'x' });
    expect(h.errors).toEqual([expect.objectContaining({ code: 'BAD_REQUEST' })]);
  });

  it('refreshes automatically before expiry with a freshly evaluated auth function, and plans from the new expiry', async () => {
    let n = 0;
    const h = harness(async () => ({ token: `t${++n}` }), 1000);
    h.socket.answer = async () => ({ ok: true, expiresAt: Date.now() + 10_000 });
    h.socket.fire('rs:session', { userId: 'alice', expiresAt: Date.now() + 10_000 });
    jest.advanceTimersByTime(8999);
    expect(h.socket.requests).toEqual([]);
    jest.advanceTimersByTime(1);
    await flush();
    expect(h.socket.requests).toEqual([{ event: 'rs:auth', payload: { auth: { token: 't1' } } }]);
    expect(h.tracker.session).toEqual({ userId: 'alice', expiresAt: 1_019_000 });
    jest.advanceTimersByTime(9000);
    await flush();
    expect(h.socket.requests.map((r) => r.payload)).toEqual([{ auth: { token: 't1' } }, { auth: { token: 't2' } }]);
    expect(h.sessions).toHaveLength(3);
  });

  it('does not refresh automatically with an object auth, nor after a disconnect', async () => {
    const fixed = harness({ token: 'static' });
    fixed.socket.fire('rs:session', { userId: 'alice', expiresAt: Date.now() + 5000 });
    jest.advanceTimersByTime(10_000);
    await flush();
    expect(fixed.socket.requests).toEqual([]);
    const dropped = harness(() => ({ token: 't' }));
    dropped.socket.fire('rs:session', { userId: 'alice', expiresAt: Date.now() + 5000 });
    dropped.socket.fire('disconnect');
    jest.advanceTimersByTime(10_000);
    await flush();
    expect(dropped.socket.requests).toEqual([]);
  });

  it('does not refresh again when a refresh does not extend the expiry', async () => {
    const h = harness(() => ({ token: 't' }), 1000);
    const expiresAt = Date.now() + 10_000;
    h.socket.answer = async () => ({ ok: true, expiresAt });
    h.socket.fire('rs:session', { userId: 'alice', expiresAt });
    jest.advanceTimersByTime(9000);
    await flush();
    jest.advanceTimersByTime(5000);
    await flush();
    expect(h.socket.requests).toHaveLength(1);
  });

  it('refresh() resolves the new expiry, or rejects with the server code, UNAVAILABLE, or UNAUTHENTICATED', async () => {
    let fail = false;
    const h = harness(() => {
      if (fail) throw new Error('no token');
      return { token: 't' };
    });
    h.socket.fire('rs:session', { userId: 'alice' });
    h.socket.answer = async () => ({ ok: true, expiresAt: 5_000_000 });
    await expect(h.tracker.refresh()).resolves.toEqual({ expiresAt: 5_000_000 });
    expect(h.tracker.session).toEqual({ userId: 'alice', expiresAt: 5_000_000 });
    h.socket.answer = async () => ({ ok: true });
    await expect(h.tracker.refresh()).resolves.toEqual({});
    expect(h.tracker.session).toEqual({ userId: 'alice' });
    h.socket.answer = async () => ({ error: { code: 'FORBIDDEN', message: 'another user' } });
    await expect(h.tracker.refresh()).rejects.toMatchObject({ name: 'ReliableError', code: 'FORBIDDEN', message: 'another user' });
    fail = true;
    await expect(h.tracker.refresh()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'auth() failed: no token' });
    h.socket.connected = false;
    await expect(h.tracker.refresh()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(h.socket.requests).toHaveLength(3);
  });

  it('shares one request between concurrent refresh() calls', async () => {
    const h = harness(() => ({ token: 't' }));
    let reply!: (r: unknown) => void;
    h.socket.answer = () => new Promise((resolve) => (reply = resolve));
    const a = h.tracker.refresh();
    const b = h.tracker.refresh();
    expect(a).toBe(b);
    await flush();
    reply({ ok: true });
    await expect(a).resolves.toEqual({});
    expect(h.socket.requests).toHaveLength(1);
  });

  it('reports a failed automatic refresh as a lifecycle error', async () => {
    const h = harness(() => ({ token: 't' }), 1000);
    h.socket.answer = async () => ({ error: { code: 'UNAUTHENTICATED', message: 'revoked' } });
    h.socket.fire('rs:session', { userId: 'alice', expiresAt: Date.now() + 4000 });
    jest.advanceTimersByTime(3000);
    await flush();
    expect(h.errors).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'automatic auth refresh failed: revoked' })]);
  });
});
