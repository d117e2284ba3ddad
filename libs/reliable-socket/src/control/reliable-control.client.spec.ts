import { describe, expect, it } from '@jest/globals';
import type { ClientProxy } from '@nestjs/microservices';
import { NEVER, of, throwError, type Observable } from 'rxjs';
import { ReliableControlClient } from './reliable-control.client.js';
import { ReliableControlError } from './reliable-control.error.js';

/** A ClientProxy stand-in recording what is sent and answering with `reply`. */
function fakeProxy(reply: (pattern: string, payload: Record<string, unknown>) => Observable<unknown>) {
  const sent: Array<{ pattern: string; payload: Record<string, unknown> }> = [];
  const proxy = {
    send: (pattern: string, payload: Record<string, unknown>) => {
      sent.push({ pattern, payload });
      return reply(pattern, payload);
    },
  } as unknown as ClientProxy;
  return { proxy, sent };
}

async function rejection(promise: Promise<unknown>): Promise<ReliableControlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReliableControlError);
  return error as ReliableControlError;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ReliableControlClient', () => {
  it('sends each command on its prefixed pattern with a fresh UUID requestId, and resolves to the reply', async () => {
    const { proxy, sent } = fakeProxy(() => of({ disconnected: 2 }));
    const client = new ReliableControlClient(proxy, { patternPrefix: 'cluster-a' });
    await expect(client.disconnect({ namespace: '/chat', userId: 'bob' })).resolves.toEqual({ disconnected: 2 });
    await client.disconnect({ namespace: '/chat', userId: 'bob' });
    expect(sent[0].pattern).toBe('cluster-a.disconnect');
    expect(sent[0].payload).toMatchObject({ namespace: '/chat', userId: 'bob' });
    expect(sent[0].payload.requestId).toMatch(UUID);
    expect(sent[1].payload.requestId).not.toBe(sent[0].payload.requestId);
  });

  it('keeps a caller-chosen requestId (a safe retry) and uses the default prefix', async () => {
    const { proxy, sent } = fakeProxy(() => of({ recipients: 1 }));
    const client = new ReliableControlClient(proxy);
    await client.broadcast({ namespace: '/chat', event: 'e', data: null, users: ['a'] }, { requestId: 'retry-7' });
    await client.campaigns.pause('c-1');
    await client.presence({ namespace: '/chat', query: 'count' });
    expect(sent.map(({ pattern }) => pattern)).toEqual(['reliable-socket.broadcast', 'reliable-socket.campaign.pause', 'reliable-socket.presence']);
    expect(sent[0].payload.requestId).toBe('retry-7');
    expect(sent[1].payload).toMatchObject({ id: 'c-1' });
  });

  it('rejects with the error reply as a ReliableControlError', async () => {
    const { proxy } = fakeProxy(() => throwError(() => ({ code: 'NOT_FOUND', message: 'unknown namespace "/x"', details: { known: ['/chat'] } })));
    const error = await rejection(new ReliableControlClient(proxy).clearRooms({ namespace: '/x', rooms: ['a'] }));
    expect({ code: error.code, message: error.message, details: error.details }).toEqual({ code: 'NOT_FOUND', message: 'unknown namespace "/x"', details: { known: ['/chat'] } });
  });

  it('rejects with TIMEOUT when no node answers in time', async () => {
    const { proxy } = fakeProxy(() => NEVER);
    const error = await rejection(new ReliableControlClient(proxy, { timeoutMs: 5_000 }).removeFromRoom({ namespace: '/chat', userId: 'a', room: 'r' }, { timeoutMs: 30 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/^removeFromRoom: no reply within 30 ms/);
  });

  it('rejects with UNAVAILABLE on a transport failure and INTERNAL on an unhandled server error', async () => {
    const broken = fakeProxy(() => throwError(() => new Error('Connection closed')));
    const unavailable = await rejection(new ReliableControlClient(broken.proxy).presence({ namespace: '/chat', query: 'count' }));
    expect({ code: unavailable.code, message: unavailable.message }).toEqual({ code: 'UNAVAILABLE', message: 'control plane unreachable: Connection closed' });
    const failing = fakeProxy(() => throwError(() => ({ status: 'error', message: 'Internal server error' })));
    const internal = await rejection(new ReliableControlClient(failing.proxy).campaigns.progress('c-1'));
    expect({ code: internal.code, message: internal.message }).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
  });
});
