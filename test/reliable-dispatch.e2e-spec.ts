/**
 * `@Reliable()` handlers are served by the adapter's message router in front of Nest's handler (not as an
 * interceptor): what runs inside the once-only section, what it sees, where errors go, and the misuses
 * refused at start. One in-process app (in-memory store), real socket.io-client sockets.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  Catch, Injectable, Module, UseFilters, UseGuards, UseInterceptors, UsePipes,
  type ArgumentsHost, type CallHandler, type CanActivate, type ExecutionContext, type INestApplication, type NestInterceptor, type PipeTransform, type Type, type WsExceptionFilter,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Ack, MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { delay, map, of, type Observable } from 'rxjs';
import type { Socket } from 'socket.io-client';
import { Reliable, ReliableSocketModule } from '@reliable-socket/nestjs';
import { connectSocket, listenInProcess, TEST_HEARTBEAT, userFromHandshake } from './fixtures/in-process.node.js';
import { sleep } from './support/wait.js';

/** What the enhancers saw: the data each was given, by enhancer. */
const seen = {
  guard: [] as unknown[],
  interceptor: [] as unknown[],
  pipe: [] as unknown[],
  handler: [] as unknown[],
  appFilter: 0,
  reset(): void {
    this.guard.length = this.interceptor.length = this.pipe.length = this.handler.length = 0;
    this.appFilter = 0;
  },
};

@Injectable()
class RecordingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const data = context.switchToWs().getData<{ deny?: boolean }>();
    seen.guard.push(data);
    return !data?.deny;
  }
}

@Injectable()
class SuffixInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    seen.interceptor.push(context.switchToWs().getData());
    return next.handle().pipe(map((result) => `${String(result)}!`));
  }
}

@Injectable()
class RecordingPipe implements PipeTransform {
  transform(value: unknown): unknown {
    seen.pipe.push(value);
    return value;
  }
}

/** An application filter below `@Reliable()`: it must never see a reliable handler's errors. */
@Catch()
class AppFilter implements WsExceptionFilter {
  catch(_exception: unknown, host: ArgumentsHost): void {
    seen.appFilter += 1;
    (host.getArgByIndex(2) as ((reply: unknown) => void) | undefined)?.('app filter');
  }
}

@WebSocketGateway({ namespace: '/dispatch' })
class DispatchGateway {
  @Reliable()
  @UseGuards(RecordingGuard)
  @UseInterceptors(SuffixInterceptor)
  @UsePipes(RecordingPipe)
  @SubscribeMessage('enhanced')
  enhanced(@MessageBody() body: { text: string }): string {
    seen.handler.push(body);
    return body.text;
  }

  @Reliable()
  @SubscribeMessage('observable')
  observable(@MessageBody() body: { values: number[] }): Observable<number> {
    seen.handler.push(body);
    return of(...body.values).pipe(delay(5));
  }

  @Reliable()
  @UseFilters(AppFilter)
  @SubscribeMessage('failing')
  failing(@MessageBody() body: { code: string }): never {
    seen.handler.push(body);
    throw new WsException({ code: body.code, message: 'refused by the handler' });
  }
}

@Module({
  imports: [ReliableSocketModule.forRoot({ keyPrefix: 'reliable-dispatch:', heartbeat: TEST_HEARTBEAT, authenticate: userFromHandshake })],
  providers: [DispatchGateway],
})
class DispatchModule {}

describe('@Reliable() dispatch in front of Nest', () => {
  let app: INestApplication;
  let socket: Socket;
  let nextId = 0;

  const envelope = (data: unknown, id = `m-${(nextId += 1)}`): { id: string; sid: string; seq: number; data: unknown } => ({ id, sid: 'tab-1', seq: nextId, data });
  const ask = (event: string, payload: unknown): Promise<unknown> => socket.timeout(5_000).emitWithAck(event, payload);

  beforeAll(async () => {
    let url: string;
    ({ app, url } = await listenInProcess(DispatchModule));
    socket = await connectSocket(`${url}/dispatch`, { user: 'dana' });
  });

  afterAll(async () => {
    socket?.close();
    await app?.close();
  });

  beforeEach(() => seen.reset());

  it('runs guards, interceptors and pipes once per message id, each seeing the application data, not the envelope', async () => {
    const message = envelope({ text: 'hi' });
    expect(await ask('enhanced', message)).toEqual({ ok: true, result: 'hi!' });
    expect(await ask('enhanced', message)).toEqual({ ok: true, result: 'hi!' });
    expect(seen.guard).toEqual([{ text: 'hi' }]);
    expect(seen.interceptor).toEqual([{ text: 'hi' }]);
    expect(seen.pipe).toEqual([{ text: 'hi' }]);
    expect(seen.handler).toEqual([{ text: 'hi' }]);
  });

  it('records a guard refusal as the outcome: a retry gets FORBIDDEN without running the guard again', async () => {
    const message = envelope({ text: 'no', deny: true });
    const refused = { ok: false, error: { code: 'FORBIDDEN', message: 'Forbidden resource' } };
    expect(await ask('enhanced', message)).toEqual(refused);
    expect(await ask('enhanced', message)).toEqual(refused);
    expect(seen.guard).toHaveLength(1);
    expect(seen.handler).toEqual([]);
  });

  it('answers with the last value of an Observable result', async () => {
    expect(await ask('observable', envelope({ values: [1, 2, 3] }))).toEqual({ ok: true, result: 3 });
    expect(await ask('observable', envelope({ values: [] }))).toEqual({ ok: true });
  });

  it('keeps the handler\'s errors from an application filter below @Reliable(): they are the recorded outcome', async () => {
    const message = envelope({ code: 'NOPE' });
    const failed = { ok: false, error: { code: 'NOPE', message: 'refused by the handler' } };
    expect(await ask('failing', message)).toEqual(failed);
    expect(await ask('failing', message)).toEqual(failed);
    expect(seen.handler).toHaveLength(1);
    expect(seen.appFilter).toBe(0);
  });

  it('runs a message sent without an ack once, and answers its retry that asks for one', async () => {
    const message = envelope({ text: 'quiet' });
    socket.emit('enhanced', message);
    await sleep(100);
    expect(seen.handler).toEqual([{ text: 'quiet' }]);
    expect(await ask('enhanced', message)).toEqual({ ok: true, result: 'quiet!' });
    expect(seen.handler).toHaveLength(1);
  });
});

describe('@Reliable() misuse stops the application at start', () => {
  async function startError(gateways: Type[]): Promise<string> {
    @Module({
      imports: [ReliableSocketModule.forRoot({ keyPrefix: 'reliable-misuse:', authenticate: userFromHandshake })],
      providers: gateways,
    })
    class MisuseModule {}
    const moduleRef = await Test.createTestingModule({ imports: [MisuseModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } catch (error) {
      return (error as Error).message;
    } finally {
      await app.close().catch(() => undefined);
    }
    throw new Error('the application started');
  }

  it('refuses @Ack() on a @Reliable() handler', async () => {
    @WebSocketGateway({ namespace: '/misuse' })
    class AckGateway {
      @Reliable()
      @SubscribeMessage('send')
      send(@Ack() ack: (reply: unknown) => void): void {
        ack('mine');
      }
    }
    expect(await startError([AckGateway])).toMatch(/AckGateway\.send is @Reliable\(\) and takes @Ack\(\)/);
  });

  it('refuses an application filter applied above @Reliable()', async () => {
    @WebSocketGateway({ namespace: '/misuse' })
    class FilterGateway {
      @UseFilters(AppFilter)
      @Reliable()
      @SubscribeMessage('send')
      send(): string {
        return 'sent';
      }
    }
    expect(await startError([FilterGateway])).toMatch(/put @Reliable\(\) above @UseFilters\(\) on FilterGateway\.send/);
  });

  it('refuses two gateways that serve the same messages on one namespace but differ in @Reliable()', async () => {
    @WebSocketGateway({ namespace: '/misuse' })
    class ReliableSend {
      @Reliable()
      @SubscribeMessage('send')
      send(): string {
        return 'reliable';
      }
    }
    @WebSocketGateway({ namespace: 'misuse' })
    class PlainSend {
      @SubscribeMessage('send')
      send(): string {
        return 'plain';
      }
    }
    expect(await startError([ReliableSend, PlainSend])).toMatch(/ReliableSend and PlainSend handle the same messages on one namespace but differ in @Reliable\(\)/);
  });
});
