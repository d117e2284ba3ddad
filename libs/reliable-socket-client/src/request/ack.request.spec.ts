import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { ReliableSendError } from '../outbox/send.error.js';
import { requestWithAck } from './ack.request.js';
import { ReliableError } from './reliable.error.js';

function fakeSocket(answer: (socket: { connected: boolean }) => Promise<unknown>, connected = true) {
  const emitted: Array<{ event: string; payload: unknown; timeoutMs: number }> = [];
  const socket = {
    connected,
    timeout: (timeoutMs: number) => ({
      emitWithAck: (event: string, payload: unknown) => {
        emitted.push({ event, payload, timeoutMs });
        return answer(socket);
      },
    }),
  };
  return { socket: socket as unknown as Socket, raw: socket, emitted };
}

const members = (reply: Record<string, unknown>) => (Array.isArray(reply.members) ? reply.members : undefined);

describe('requestWithAck', () => {
  it('emits with the timeout and hands the success reply to parse', async () => {
    const fake = fakeSocket(async () => ({ ok: true, members: [1] }));
    await expect(requestWithAck(fake.socket, 'rs:x', { room: 'a' }, 1234, members)).resolves.toEqual([1]);
    expect(fake.emitted).toEqual([{ event: 'rs:x', payload: { room: 'a' }, timeoutMs: 1234 }]);
  });

  it('rejects with the code, message and details of an error reply', async () => {
    const fake = fakeSocket(async () => ({ error: { code: 'FORBIDDEN', message: 'not yours', details: { room: 'a' } } }));
    const failure = requestWithAck(fake.socket, 'rs:x', {}, 100, members);
    await expect(failure).rejects.toBeInstanceOf(ReliableError);
    await expect(failure).rejects.toMatchObject({ name: 'ReliableError', code: 'FORBIDDEN', message: 'not yours', details: { room: 'a' } });
  });

  it('rejects with UNAVAILABLE without emitting when not connected', async () => {
    const fake = fakeSocket(async () => ({ ok: true }), false);
    await expect(requestWithAck(fake.socket, 'rs:x', {}, 100, () => true)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(fake.emitted).toEqual([]);
  });

  it('tells a timeout (still connected) from a disconnect', async () => {
    const timedOut = fakeSocket(() => Promise.reject(new Error('operation has timed out')));
    await expect(requestWithAck(timedOut.socket, 'rs:x', {}, 100, () => true)).rejects.toMatchObject({ code: 'TIMEOUT' });
    const dropped = fakeSocket((socket) => {
      socket.connected = false;
      return Promise.reject(new Error('socket has been disconnected'));
    });
    await expect(requestWithAck(dropped.socket, 'rs:x', {}, 100, () => true)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('rejects malformed replies with BAD_REQUEST', async () => {
    for (const reply of [undefined, 'ok', { ok: false }, { ok: true, members: 'x' }, { error: 'x' }]) {
      const fake = fakeSocket(async () => reply);
      await expect(requestWithAck(fake.socket, 'rs:x', {}, 100, members)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
  });
});

describe('ReliableError', () => {
  it('is the base of ReliableSendError, so one instanceof check covers every client error', () => {
    const error = new ReliableSendError('TIMEOUT', 'late', { id: 'm1', event: 'op', details: 1, cause: 'c' });
    expect(error).toBeInstanceOf(ReliableError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ReliableSendError', code: 'TIMEOUT', message: 'late', id: 'm1', event: 'op', details: 1, cause: 'c' });
    expect(new ReliableError('X', 'm')).toMatchObject({ name: 'ReliableError', code: 'X', details: undefined });
    expect('cause' in new ReliableError('X', 'm')).toBe(false);
  });
});
