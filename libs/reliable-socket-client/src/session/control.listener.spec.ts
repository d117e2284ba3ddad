import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { LifecycleEvents, ReliableErrorEvent } from '../lifecycle/lifecycle.events.js';
import { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import { listenControl } from './control.listener.js';

function harness() {
  const listeners = new Map<string, (payload: unknown) => void>();
  const socket = { on: (event: string, listener: (payload: unknown) => void) => void listeners.set(event, listener) };
  const lifecycle = new TypedEmitter<LifecycleEvents>();
  const errors: ReliableErrorEvent[] = [];
  lifecycle.on('error', (e) => errors.push(e));
  const calls: string[] = [];
  listenControl(socket as unknown as Socket, {
    replaced: (reason) => calls.push(`replaced:${reason}`),
    tokenExpired: (reason) => calls.push(`expired:${reason}`),
    drain: (ms) => calls.push(`drain:${ms}`),
    kicked: (reason) => calls.push(`kicked:${reason}`),
  }, lifecycle);
  return { send: (payload: unknown) => listeners.get('rs:control')!(payload), calls, errors };
}

describe('listenControl', () => {
  it('routes each signal to its handler', () => {
    const h = harness();
    h.send({ type: 'replaced', reason: 'SESSION_REPLACED' });
    h.send({ type: 'token_expired', reason: 'TOKEN_EXPIRED' });
    h.send({ type: 'drain', reason: 'SHUTDOWN', reconnectInMs: 1500 });
    h.send({ type: 'drain', reason: 'SHUTDOWN' });
    h.send({ type: 'kicked', reason: 'banned' });
    expect(h.calls).toEqual(['replaced:SESSION_REPLACED', 'expired:TOKEN_EXPIRED', 'drain:1500', 'drain:0', 'kicked:banned']);
    expect(h.errors).toEqual([]);
  });

  it('ignores unknown types and reports malformed envelopes', () => {
    const h = harness();
    h.send({ type: 'from_the_future', reason: 'X' });
    h.send({ type: 'replaced' });
    expect(h.calls).toEqual([]);
    expect(h.errors).toEqual([expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('rs:control') })]);
  });
});
