import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { handshakeUser, type BenchServer } from './bench-server.js';
import { BENCH_NAMESPACE, plainUserRoom } from './payload.js';

/**
 * A Nest gateway on Nest's own Socket.IO adapter, without reliable-socket: the same handshake check and
 * user room as the plain server. Only the idle-connection scenario uses it, to tell what of the reliable
 * app's per-connection memory is Nest's gateway plumbing and what is the library's.
 */
@WebSocketGateway({ namespace: BENCH_NAMESPACE, transports: ['websocket'] })
class PlainNestGateway implements OnGatewayInit, OnGatewayConnection {
  @WebSocketServer() namespace!: Namespace;

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      try {
        socket.data.user = handshakeUser(socket.handshake.auth);
        next();
      } catch (error) {
        next(error as Error);
      }
    });
  }

  handleConnection(socket: Socket): void {
    void socket.join(plainUserRoom(socket.data.user as string));
  }
}

@Module({ providers: [PlainNestGateway] })
class PlainNestModule {}

export async function startNestPlainApp(): Promise<BenchServer> {
  const app = await NestFactory.create(PlainNestModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { namespace } = app.get(PlainNestGateway);
  return {
    port: (app.getHttpServer().address() as AddressInfo).port,
    burst: () => Promise.reject(new Error('the nest-plain server sends nothing')),
    socketCount: (user) => [...namespace.sockets.values()].filter((socket) => socket.data.user === user).length,
    connectionCount: () => namespace.sockets.size,
    reliableHandlerRuns: () => 0,
    close: () => app.close(),
  };
}
