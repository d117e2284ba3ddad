import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { Reliable, ReliableEmitter, ReliableSocketModule, UniquePerNamespace } from '@reliable-socket/nestjs';
import type { Namespace } from 'socket.io';
import { handshakeUser, type BenchServer } from './bench-server.js';
import { runBounded } from './emit-pool.js';
import { BENCH_EVENT, BENCH_NAMESPACE, ECHO_EVENT, RELIABLE_ECHO_EVENT, makePayload, type BenchPayload } from './payload.js';
import type { BurstRequest } from './server-protocol.js';

/** Runs of the `@Reliable()` echo handler in this process: the bench checks it ran once per message. */
let reliableEchoRuns = 0;

/**
 * The bench's gateway. Server → client scenarios need no handler (the namespace exists so that the
 * library binds to it); client → server ones use the two echo handlers, identical but for `@Reliable()`,
 * so their difference is exactly what the decorator costs. (The sample app is not reused: it needs JWTs
 * from its HTTP endpoint, while the bench simply trusts `auth.user`.)
 */
@WebSocketGateway({ namespace: BENCH_NAMESPACE })
class BenchGateway {
  @WebSocketServer() namespace!: Namespace;

  @SubscribeMessage(ECHO_EVENT)
  echo(@MessageBody() body: BenchPayload): BenchPayload {
    return body;
  }

  @Reliable()
  @SubscribeMessage(RELIABLE_ECHO_EVENT)
  echoReliable(@MessageBody() body: BenchPayload): BenchPayload {
    reliableEchoRuns += 1;
    return body;
  }
}

/**
 * The same namespace with one session per user, for the connection scenarios (which send nothing).
 * A separate class, because the decorator is per gateway and the other scenarios must not pay for it.
 */
@UniquePerNamespace()
@WebSocketGateway({ namespace: BENCH_NAMESPACE })
class UniqueBenchGateway {
  @WebSocketServer() namespace!: Namespace;
}

export interface ReliableAppOptions {
  /** Absent: the library's in-memory store. */
  redisUrl?: string;
  keyPrefix: string;
  /** Serve the namespace with the `@UniquePerNamespace()` gateway. */
  uniquePerUser?: boolean;
}

/** Starts a Nest application with `ReliableSocketModule` (library defaults apart from store and auth) on a free port. */
export async function startReliableApp({ redisUrl, keyPrefix, uniquePerUser = false }: ReliableAppOptions): Promise<BenchServer> {
  const Gateway = uniquePerUser ? UniqueBenchGateway : BenchGateway;
  @Module({
    imports: [ReliableSocketModule.forRoot({ redis: redisUrl, keyPrefix, authenticate: (handshake) => ({ id: handshakeUser(handshake.auth) }) })],
    providers: [Gateway],
  })
  class BenchAppModule {}

  // 'error' only: the in-memory store's "single node only" warning is expected here.
  const app = await NestFactory.create(BenchAppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const emitter = app.get(ReliableEmitter);
  const { namespace } = app.get<BenchGateway | UniqueBenchGateway>(Gateway);

  return {
    port: (app.getHttpServer().address() as AddressInfo).port,
    async burst({ user, count, concurrency }: BurstRequest) {
      // Per emit, as an application would write it; the emitter resolves once the message is durable.
      await runBounded(count, concurrency, (seq) => emitter.toUser(user).emit(BENCH_EVENT, makePayload(seq)));
    },
    socketCount: (user) => [...namespace.sockets.values()].filter((socket) => (socket.data.user as { id?: string } | undefined)?.id === user).length,
    connectionCount: () => namespace.sockets.size,
    reliableHandlerRuns: () => reliableEchoRuns,
    close: () => app.close(),
  };
}
