import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import { ConnectionSupervisor } from './connection.supervisor.js';

/** Records connects and disconnects; `connect()` succeeds at once unless told otherwise. */
function harness() {
  const calls: string[] = [];
  const socket = {
    connected: false,
    connect: () => {
      calls.push('connect');
      socket.connected = true;
    },
    disconnect: () => {
      calls.push('disconnect');
      socket.connected = false;
    },
  };
  const lifecycle = new TypedEmitter<LifecycleEvents>();
  const signals: string[] = [];
  lifecycle.on('replaced', ({ reason }) => signals.push(`replaced:${reason}:${supervisor.state}`));
  lifecycle.on('rejected', ({ reason }) => signals.push(`rejected:${reason}`));
  const supervisor = new ConnectionSupervisor(socket as unknown as Socket, { baseMs: 100, maxMs: 100 }, lifecycle);
  return { supervisor, socket, calls, signals };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('ConnectionSupervisor', () => {
  it('tracks idle → connecting → connected → idle', () => {
    const h = harness();
    expect(h.supervisor.state).toBe('idle');
    h.supervisor.open(); // not started: nothing
    expect(h.calls).toEqual([]);
    h.supervisor.start();
    expect(h.supervisor.state).toBe('connecting');
    h.supervisor.open();
    expect(h.supervisor.state).toBe('connected');
    h.supervisor.stop();
    expect(h.supervisor.state).toBe('idle');
    expect(h.calls).toEqual(['connect', 'disconnect']);
  });

  it('halt announces, disconnects and never retries until started again', () => {
    const h = harness();
    h.supervisor.start();
    h.supervisor.open();
    h.supervisor.halt('replaced', 'SESSION_REPLACED');
    // The listener ran before the disconnect, and already saw the halted state.
    expect(h.signals).toEqual(['replaced:SESSION_REPLACED:replaced']);
    expect(h.calls).toEqual(['connect', 'disconnect']);
    expect(h.supervisor.halted).toEqual({ kind: 'replaced', reason: 'SESSION_REPLACED' });
    h.supervisor.retry();
    h.supervisor.restart();
    h.supervisor.open();
    jest.advanceTimersByTime(10_000);
    expect(h.calls).toEqual(['connect', 'disconnect']);
    expect(h.supervisor.state).toBe('replaced');
    h.supervisor.start();
    expect(h.supervisor.halted).toBeUndefined();
    h.supervisor.open();
    expect(h.supervisor.state).toBe('connected');
  });

  it('halt is ignored once stopped, so a late signal does not mark a closed client', () => {
    const h = harness();
    h.supervisor.halt('rejected', 'SESSION_EXISTS');
    expect(h.signals).toEqual([]);
    expect(h.supervisor.state).toBe('idle');
  });

  it('drain leaves now and comes back after exactly the asked delay, ignoring restarts meanwhile', () => {
    const h = harness();
    h.supervisor.start();
    h.supervisor.open();
    h.supervisor.drain(700);
    expect(h.calls).toEqual(['connect', 'disconnect']);
    expect(h.supervisor.state).toBe('connecting');
    h.supervisor.restart(); // a wake-up probe failing against the disconnected socket
    jest.advanceTimersByTime(699);
    expect(h.calls).toEqual(['connect', 'disconnect']);
    jest.advanceTimersByTime(1);
    expect(h.calls).toEqual(['connect', 'disconnect', 'connect']);
    // The pause is over: restarts work again.
    h.supervisor.restart();
    expect(h.calls).toEqual(['connect', 'disconnect', 'connect', 'disconnect', 'connect']);
  });

  it('drain with a nonsense delay reconnects at once; stop cancels a pending drain', () => {
    const h = harness();
    h.supervisor.start();
    h.supervisor.open();
    h.supervisor.drain(Number.NaN);
    jest.advanceTimersByTime(0);
    expect(h.calls).toEqual(['connect', 'disconnect', 'connect']);
    h.supervisor.drain(500);
    h.supervisor.stop();
    jest.advanceTimersByTime(1000);
    expect(h.calls).toEqual(['connect', 'disconnect', 'connect', 'disconnect', 'disconnect']);
  });
});
