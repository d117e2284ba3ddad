import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { CampaignService, Reliable, ReliableEmitter, ReliableSocketModule, UniquePerNamespace } from '@reliable-socket/nestjs';
import type { Namespace } from 'socket.io';
import { absoluteNow, handshakeUser, type BenchServer } from './bench-server.js';
import { runBounded } from './emit-pool.js';
import { BENCH_EVENT, BENCH_NAMESPACE, CAMPAIGN_EVENT, ECHO_EVENT, RELIABLE_ECHO_EVENT, makeCampaignPayload, makePayload, type BenchPayload } from './payload.js';
import { reliableScaleOps } from './reliable-scale-ops.js';
import type { BurstRequest, CampaignRequest } from './server-protocol.js';
import { sleep } from './timing.js';

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
  /** `retention.maxLength`; absent, the library default. */
  retentionMaxLength?: number;
}

/** Starts a Nest application with `ReliableSocketModule` (library defaults apart from store and auth) on a free port. */
export async function startReliableApp({ redisUrl, keyPrefix, uniquePerUser = false, retentionMaxLength }: ReliableAppOptions): Promise<BenchServer> {
  const Gateway = uniquePerUser ? UniqueBenchGateway : BenchGateway;
  const retention = retentionMaxLength === undefined ? {} : { retention: { maxLength: retentionMaxLength } };
  @Module({
    imports: [ReliableSocketModule.forRoot({ redis: redisUrl, keyPrefix, ...retention, authenticate: (handshake) => ({ id: handshakeUser(handshake.auth) }) })],
    providers: [Gateway],
  })
  class BenchAppModule {}

  // 'error' only: the in-memory store's "single node only" warning is expected here.
  const app = await NestFactory.create(BenchAppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const emitter = app.get(ReliableEmitter);
  const campaigns = app.get(CampaignService);
  const { namespace } = app.get<BenchGateway | UniqueBenchGateway>(Gateway);

  return {
    ...reliableScaleOps(app),
    port: (app.getHttpServer().address() as AddressInfo).port,
    async burst({ user, count, concurrency }: BurstRequest) {
      // Per emit, as an application would write it; the emitter resolves once the message is durable.
      await runBounded(count, concurrency, (seq) => emitter.toUser(user).emit(BENCH_EVENT, makePayload(seq)));
    },
    async campaign({ round, users, timeoutMs }: CampaignRequest) {
      const startedAt = absoluteNow();
      // No ratePerSecond: no limit. Delivery runs in the library's background worker.
      const { id } = await campaigns.start({
        namespace: BENCH_NAMESPACE, target: { users }, event: CAMPAIGN_EVENT, data: makeCampaignPayload(round), expiresAt: Date.now() + 10 * 60_000,
      });
      const startReturnedAt = absoluteNow();
      // As an admin UI would watch it, but tightly (one store read at a time, 2 ms apart) so the figure is not poll-bound.
      let progressPolls = 0;
      for (;;) {
        const progress = await campaigns.progress(id);
        progressPolls += 1;
        if (progress.delivered >= users.length) return { startedAt, startReturnedAt, deliveredAt: absoluteNow(), progress, progressPolls };
        if (absoluteNow() - startedAt > timeoutMs) throw new Error(`campaign ${id}: ${JSON.stringify(progress)} after ${timeoutMs} ms`);
        await sleep(2);
      }
    },
    socketCount: (user) => [...namespace.sockets.values()].filter((socket) => (socket.data.user as { id?: string } | undefined)?.id === user).length,
    connectionCount: () => namespace.sockets.size,
    reliableHandlerRuns: () => reliableEchoRuns,
    close: () => app.close(),
  };
}
