import { describe, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import type { LiveEnvelope } from '../protocol.js';
import { listenInbound } from './inbound.wire.js';
import type { StreamRouter } from './stream.router.js';

/** Just enough of a socket to register and fire listeners. */
function fakeSocket(): { socket: Socket; fire(event: string, payload: unknown): void } {
  const listeners = new Map<string, (payload: unknown) => void>();
  const socket = { on: (event: string, listener: (payload: unknown) => void) => listeners.set(event, listener) } as unknown as Socket;
  return { socket, fire: (event, payload) => listeners.get(event)?.(payload) };
}

describe('listenInbound rs:msgs', () => {
  it('hands each message of a live batch to the router as a live message, in order', () => {
    const { socket, fire } = fakeSocket();
    const live: LiveEnvelope[] = [];
    const router = { live: async (envelope: LiveEnvelope) => void live.push(envelope) } as unknown as StreamRouter;
    listenInbound(socket, router, new TypedEmitter<LifecycleEvents>());
    fire('rs:msgs', { stream: 'user:a', epoch: 'E', messages: [{ offset: 7, event: 'm', data: 1, ts: 1 }, { offset: 8, event: 'm', data: 2, ts: 1 }] });
    expect(live).toEqual([
      { stream: 'user:a', epoch: 'E', offset: 7, event: 'm', data: 1, ts: 1 },
      { stream: 'user:a', epoch: 'E', offset: 8, event: 'm', data: 2, ts: 1 },
    ]);
  });

  it('reports a malformed live batch instead of delivering any of it', () => {
    const { socket, fire } = fakeSocket();
    const live: LiveEnvelope[] = [];
    const errors: unknown[] = [];
    const lifecycle = new TypedEmitter<LifecycleEvents>();
    lifecycle.on('error', (error) => errors.push(error));
    listenInbound(socket, { live: async (envelope: LiveEnvelope) => void live.push(envelope) } as unknown as StreamRouter, lifecycle);
    fire('rs:msgs', { stream: 'user:a', epoch: 'E', messages: [{ offset: 0, event: 'm' }] });
    expect(live).toEqual([]);
    expect(errors).toEqual([{ code: 'BAD_REQUEST', message: 'malformed rs:msgs from the server, ignored' }]);
  });
});
