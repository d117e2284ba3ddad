import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { PresenceEnvelope } from '../protocol.js';
import type { LifecycleEvents, ReliableErrorEvent } from '../lifecycle/lifecycle.events.js';
import { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import type { PresenceEvents } from './presence.api.js';
import { PresenceTracker } from './presence.tracker.js';

/** A socket whose requests are answered by `answer`, and whose server events the test fires. */
class FakeSocket {
  connected = false;
  readonly requests: Array<{ event: string; payload: unknown }> = [];
  answer: (event: string, payload: { room: string }) => Promise<unknown> = async () => ({ ok: true, members: [] });
  private readonly listeners = new Map<string, Array<(payload?: unknown) => void>>();
  on(event: string, listener: (payload?: unknown) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  fire(event: string, payload?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }
  connect(): void {
    this.connected = true;
    this.fire('connect');
  }
  timeout() {
    return {
      emitWithAck: (event: string, payload: { room: string }) => {
        this.requests.push({ event, payload });
        return this.answer(event, payload);
      },
    };
  }
}

function harness() {
  const socket = new FakeSocket();
  const lifecycle = new TypedEmitter<LifecycleEvents>();
  const errors: ReliableErrorEvent[] = [];
  lifecycle.on('error', (e) => errors.push(e));
  const presence = new PresenceTracker(socket as unknown as Socket, lifecycle, 100);
  const changes: PresenceEnvelope[] = [];
  const lists: Array<PresenceEvents['members']> = [];
  presence.on('change', (e) => changes.push(e));
  presence.on('members', (e) => lists.push(e));
  return { socket, presence, errors, changes, lists };
}

const flush = async () => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

const alice = [{ userId: 'alice', online: true }];

describe('PresenceTracker', () => {
  it('subscribes right away when connected, resolving and announcing the members', async () => {
    const h = harness();
    h.socket.connected = true;
    h.socket.answer = async () => ({ ok: true, members: alice });
    await expect(h.presence.subscribe('lobby')).resolves.toEqual(alice);
    expect(h.socket.requests).toEqual([{ event: 'rs:presence:subscribe', payload: { room: 'lobby' } }]);
    expect(h.lists).toEqual([{ room: 'lobby', members: alice }]);
    expect(h.presence.rooms()).toEqual(['lobby']);
  });

  it('waits for the connection when called before it, and subscribes every followed room on each connect', async () => {
    const h = harness();
    const members = h.presence.subscribe('lobby');
    expect(h.socket.requests).toEqual([]);
    h.socket.connect();
    await expect(members).resolves.toEqual([]);
    h.socket.connected = false;
    h.socket.fire('disconnect');
    h.socket.connect();
    await flush();
    expect(h.socket.requests.map((r) => r.event)).toEqual(['rs:presence:subscribe', 'rs:presence:subscribe']);
    expect(h.lists).toHaveLength(2);
  });

  it('keeps a caller waiting across a disconnect that cut its request', async () => {
    const h = harness();
    h.socket.connected = true;
    h.socket.answer = async () => {
      h.socket.connected = false;
      throw new Error('socket has been disconnected');
    };
    const members = h.presence.subscribe('lobby');
    await flush();
    h.socket.answer = async () => ({ ok: true, members: alice });
    h.socket.connect();
    await expect(members).resolves.toEqual(alice);
  });

  it('stops following a room the server refuses, but keeps one whose request timed out', async () => {
    const h = harness();
    h.socket.connected = true;
    h.socket.answer = async (_event, { room }) => (room === 'secret' ? { error: { code: 'FORBIDDEN', message: 'no' } } : Promise.reject(new Error('timed out')));
    await expect(h.presence.subscribe('secret')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.presence.subscribe('slow')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(h.presence.rooms()).toEqual(['slow']);
    // An automatic resubscription has no caller: its failure goes to the lifecycle.
    h.socket.connect();
    await flush();
    expect(h.errors).toEqual([expect.objectContaining({ code: 'TIMEOUT', message: expect.stringContaining('"slow"') })]);
  });

  it('delivers changes of followed rooms only, dropping stale fences', async () => {
    const h = harness();
    h.socket.connected = true;
    await h.presence.subscribe('lobby');
    h.socket.fire('rs:presence', { room: 'lobby', userId: 'bob', type: 'join', fence: 2 });
    h.socket.fire('rs:presence', { room: 'lobby', userId: 'bob', type: 'leave', fence: 1 });
    h.socket.fire('rs:presence', { room: 'other', userId: 'bob', type: 'join', fence: 3 });
    h.socket.fire('rs:presence', { room: 'lobby', userId: 'bob', type: 'leave', fence: 3 });
    h.socket.fire('rs:presence', { room: 'lobby', userId: 'bob' });
    expect(h.changes).toEqual([
      { room: 'lobby', userId: 'bob', type: 'join', fence: 2 },
      { room: 'lobby', userId: 'bob', type: 'leave', fence: 3 },
    ]);
    expect(h.errors).toEqual([expect.objectContaining({ code: 'BAD_REQUEST' })]);
  });

  it('unsubscribe stops the events at once, cancels waiting callers and tells the server when connected', async () => {
    const h = harness();
    const waiting = h.presence.subscribe('lobby');
    await h.presence.unsubscribe('lobby');
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(h.socket.requests).toEqual([]);
    h.socket.connected = true;
    await h.presence.subscribe('lobby');
    h.socket.answer = async () => ({ ok: true });
    await h.presence.unsubscribe('lobby');
    expect(h.socket.requests.at(-1)).toEqual({ event: 'rs:presence:unsubscribe', payload: { room: 'lobby' } });
    h.socket.fire('rs:presence', { room: 'lobby', userId: 'bob', type: 'join', fence: 1 });
    expect(h.changes).toEqual([]);
    expect(h.presence.rooms()).toEqual([]);
  });

  it('stop() rejects waiting callers with UNAVAILABLE and keeps the rooms followed', async () => {
    const h = harness();
    const waiting = h.presence.subscribe('lobby');
    h.presence.stop();
    await expect(waiting).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(h.presence.rooms()).toEqual(['lobby']);
  });

  it('refuses an empty room name', async () => {
    const h = harness();
    await expect(h.presence.subscribe('')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(h.presence.unsubscribe(undefined as unknown as string)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(h.presence.rooms()).toEqual([]);
  });
});
