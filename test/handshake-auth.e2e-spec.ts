/**
 * Issue 2, (g): the handshake is authenticated before anything is delivered. Missing, malformed,
 * expired or wrongly signed tokens end in `connect_error` with `data.code === 'UNAUTHENTICATED'`.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { io } from 'socket.io-client';
import { createAppModule } from '../sample-app/src/app.module.js';
import { sleep } from './support/wait.js';

const SECRET = 'handshake-secret';

describe('(g) handshake authentication', () => {
  let app: INestApplication;
  let url: string;
  let jwt: JwtService;

  beforeAll(async () => {
    const config = { port: 0, host: '127.0.0.1', redisKeyPrefix: 'unused:', jwtSecret: SECRET, production: false };
    const moduleRef = await Test.createTestingModule({ imports: [createAppModule(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/chat`;
    jwt = app.get(JwtService);
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Connects with `auth`, and reports the connect_error plus every event that reached the socket. */
  async function attempt(auth: Record<string, unknown>): Promise<{ error?: { message: string; data?: { code?: string } }; events: string[] }> {
    const socket = io(url, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
    const events: string[] = [];
    socket.onAny((event) => events.push(event));
    const error = await new Promise<{ message: string; data?: { code?: string } } | undefined>((resolve) => {
      socket.once('connect_error', (err) => resolve(err as never));
      socket.once('connect', () => resolve(undefined));
    });
    await sleep(200);
    socket.close();
    return { error, events };
  }

  const expectRefused = (result: Awaited<ReturnType<typeof attempt>>): void => {
    expect(result.error?.data?.code).toBe('UNAUTHENTICATED');
    expect(result.events).toEqual([]);
  };

  it('refuses a missing token', async () => {
    const result = await attempt({});
    expectRefused(result);
    expect(result.error?.message).toBe('missing auth.token');
  });

  it('refuses a malformed token', async () => {
    expectRefused(await attempt({ token: 'not-a-jwt' }));
  });

  it('refuses an expired token', async () => {
    const token = await jwt.signAsync({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 10 });
    const result = await attempt({ token });
    expectRefused(result);
    expect(result.error?.message).toBe('token expired');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await new JwtService({ secret: 'someone-else' }).signAsync({ sub: 'alice' });
    expectRefused(await attempt({ token }));
  });

  it('refuses a token without a subject', async () => {
    expectRefused(await attempt({ token: await jwt.signAsync({ role: 'x' }) }));
  });

  it('accepts a valid token and exposes the user to handlers through @CurrentUser()', async () => {
    const token = await jwt.signAsync({ sub: 'alice' });
    const result = await attempt({ token });
    expect(result.error).toBeUndefined();
    const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    socket.on('rs:batch', (_batch: unknown, ack: (reply: unknown) => void) => ack({ ok: true }));
    const delivered = new Promise<{ from: string; text: string }>((resolve) => {
      socket.on('rs:msg', (envelope: { data: { from: string; text: string } }) => resolve(envelope.data));
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await sleep(100); // sync finishes, the socket is live on its own stream
    const ack = await socket.emitWithAck('send', { id: 'm-1', sid: 'raw', seq: 1, data: { to: 'alice', text: 'note to self' } });
    expect(ack).toEqual({ ok: true, result: { offset: expect.any(Number) } });
    expect(await delivered).toEqual({ from: 'alice', text: 'note to self', sentAt: expect.any(Number) });
    socket.close();
  });
});
