import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { ReliableEmitter, ReliableSocketModule } from '@reliable-socket/nestjs';
import type { Namespace } from 'socket.io';
import { handshakeUser, type BenchServer } from './bench-server.js';
import { runBounded } from './emit-pool.js';
import { BENCH_EVENT, BENCH_NAMESPACE, makePayload } from './payload.js';
import type { BurstRequest } from './server-protocol.js';

/**
 * A gateway with no handlers: the benchmarks only push server → client, and the namespace exists so
 * that the library binds to it. (The sample app is not reused: it needs JWTs from its HTTP endpoint,
 * while the bench simply trusts `auth.user`.)
 */
@WebSocketGateway({ namespace: BENCH_NAMESPACE })
class BenchGateway {
  @WebSocketServer() namespace!: Namespace;
}

export interface ReliableAppOptions {
  /** Absent: the library's in-memory store. */
  redisUrl?: string;
  keyPrefix: string;
}

/** Starts a Nest application with `ReliableSocketModule` (library defaults apart from store and auth) on a free port. */
export async function startReliableApp({ redisUrl, keyPrefix }: ReliableAppOptions): Promise<BenchServer> {
  @Module({
    imports: [ReliableSocketModule.forRoot({ redis: redisUrl, keyPrefix, authenticate: (handshake) => ({ id: handshakeUser(handshake.auth) }) })],
    providers: [BenchGateway],
  })
  class BenchAppModule {}

  // 'error' only: the in-memory store's "single node only" warning is expected here.
  const app = await NestFactory.create(BenchAppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const emitter = app.get(ReliableEmitter);
  const { namespace } = app.get(BenchGateway);

  return {
    port: (app.getHttpServer().address() as AddressInfo).port,
    async burst({ user, count, concurrency }: BurstRequest) {
      // Per emit, as an application would write it; the emitter resolves once the message is durable.
      await runBounded(count, concurrency, (seq) => emitter.toUser(user).emit(BENCH_EVENT, makePayload(seq)));
    },
    socketCount: (user) => [...namespace.sockets.values()].filter((socket) => (socket.data.user as { id?: string } | undefined)?.id === user).length,
    close: () => app.close(),
  };
}
