/**
 * ReliableIoAdapter binds gateway messages without Nest's per-socket rxjs pipelines (shared listeners, a
 * weak map of the handlers Nest bound to each socket): it must keep IoAdapter's semantics. One in-process
 * app (in-memory store) with two gateways on `/binding` and one on `/other`; real socket.io-client sockets.
 */
import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Catch, Injectable, Module, UseFilters, UseGuards, ValidationPipe, type ArgumentsHost, type CanActivate, type INestApplication, type WsExceptionFilter } from '@nestjs/common';
import { Ack, ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WsException, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { IsInt, Min } from 'class-validator';
import { defer, finalize, interval, map, of, throwError, type Observable } from 'rxjs';
import type { Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { Reliable, ReliableSocketModule } from '@reliable-socket/nestjs';
import { listenInProcess, TEST_HEARTBEAT, userFromHandshake } from './fixtures/in-process.node.js';
import { sleep, waitFor } from './support/wait.js';

/** What the gateways saw, by socket id where it matters. */
const seen = {
  runs: new Map<string, number>(),
  disconnects: [] as string[],
  /** Observable results of the `stream` handler subscribed and not finalized yet. */
  streamsOpen: 0,
  serverSockets: new Map<string, ServerSocket>(),
  reset(): void {
    this.runs.clear();
    this.disconnects.length = 0;
    this.streamsOpen = 0;
  },
};
const ran = (name: string): void => void seen.runs.set(name, (seen.runs.get(name) ?? 0) + 1);

class CountDto {
  @IsInt() @Min(1) count!: number;
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** Answers an exception through the client's ack (the ack is the third handler argument, after socket and data). */
@Catch(WsException)
class AckErrorFilter implements WsExceptionFilter {
  catch(exception: WsException, host: ArgumentsHost): void {
    (host.getArgByIndex(2) as ((reply: unknown) => void) | undefined)?.({ failed: exception.getError() });
  }
}

@WebSocketGateway({ namespace: '/binding' })
class BindingGateway implements OnGatewayConnection, OnGatewayDisconnect {
  handleConnection(socket: ServerSocket): void {
    seen.serverSockets.set(socket.id, socket);
  }

  handleDisconnect(socket: ServerSocket): void {
    seen.disconnects.push(`main:${socket.id}`);
  }

  @SubscribeMessage('value')
  value(@MessageBody() body: unknown): unknown {
    ran('value');
    return { echo: body };
  }

  @SubscribeMessage('promise')
  async promise(@MessageBody() body: unknown): Promise<unknown> {
    await sleep(10);
    return { later: body };
  }

  @SubscribeMessage('observable')
  observable(): Observable<number> {
    return of(1, 2, 3);
  }

  @SubscribeMessage('events')
  events(): Observable<{ event: string; data: number }> {
    return of({ event: 'tick', data: 1 }, { event: 'tick', data: 2 });
  }

  @SubscribeMessage('reply-event')
  async replyEvent(@MessageBody() body: unknown): Promise<{ event: string; data: unknown }> {
    return { event: 'pong', data: body };
  }

  @SubscribeMessage('nothing')
  nothing(@MessageBody() body: { null?: boolean }): null | undefined {
    ran('nothing');
    return body?.null ? null : undefined;
  }

  @SubscribeMessage('args')
  args(@MessageBody() body: unknown): unknown {
    return { body: body === undefined ? 'none' : body };
  }

  @SubscribeMessage('fail')
  fail(): never {
    throw new WsException('nope');
  }

  @SubscribeMessage('fail-later')
  failLater(): Observable<never> {
    return throwError(() => new WsException('late'));
  }

  @UseFilters(new AckErrorFilter())
  @SubscribeMessage('fail-filtered')
  failFiltered(): never {
    throw new WsException('filtered');
  }

  @UseGuards(DenyGuard)
  @SubscribeMessage('guarded')
  guarded(): string {
    ran('guarded');
    return 'should never run';
  }

  @SubscribeMessage('validated')
  validated(@MessageBody(new ValidationPipe({ exceptionFactory: () => new WsException('invalid count') })) dto: CountDto): number {
    return dto.count * 2;
  }

  @SubscribeMessage('manual')
  manual(@MessageBody() body: string, @Ack() ack: (reply: string) => void): string {
    ack(`manual:${body}`);
    return 'not sent';
  }

  @SubscribeMessage('stream')
  stream(): Observable<{ event: string; data: number }> {
    return defer(() => {
      seen.streamsOpen += 1;
      return interval(20).pipe(
        map((data) => ({ event: 'beat', data })),
        finalize(() => (seen.streamsOpen -= 1)),
      );
    });
  }

  @SubscribeMessage('whoami')
  whoami(@ConnectedSocket() socket: ServerSocket): string {
    return `binding:${socket.id}`;
  }

  @Reliable()
  @SubscribeMessage('reliable-echo')
  reliableEcho(@MessageBody() body: { text: string }): { text: string } {
    ran('reliable-echo');
    return { text: body.text.toUpperCase() };
  }
}

/** A second gateway on the same namespace. */
@WebSocketGateway({ namespace: '/binding' })
class SideGateway implements OnGatewayDisconnect {
  handleDisconnect(socket: ServerSocket): void {
    seen.disconnects.push(`side:${socket.id}`);
  }

  @SubscribeMessage('side')
  side(@MessageBody() body: string): string {
    return `side:${body}`;
  }
}

/** Another namespace, with a message name the first one uses too. */
@WebSocketGateway({ namespace: '/other' })
class OtherGateway {
  @SubscribeMessage('value')
  value(@MessageBody() body: unknown): unknown {
    return { other: body };
  }
}

@Module({
  imports: [ReliableSocketModule.forRoot({ keyPrefix: 'message-binding:', heartbeat: TEST_HEARTBEAT, authenticate: userFromHandshake })],
  providers: [BindingGateway, SideGateway, OtherGateway],
})
class BindingModule {}

describe('gateway message binding (ReliableIoAdapter)', () => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];

  /** A connected socket recording every event it receives. */
  async function connect(namespace = '/binding', user = 'bea'): Promise<{ socket: Socket; received: Array<[string, unknown]> }> {
    const socket = io(`${url}${namespace}`, { transports: ['websocket'], auth: { user }, reconnection: false, forceNew: true });
    sockets.push(socket);
    const received: Array<[string, unknown]> = [];
    socket.onAny((event: string, data: unknown) => received.push([event, data]));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return { socket, received };
  }

  const ask = (socket: Socket, event: string, ...args: unknown[]): Promise<unknown> => socket.timeout(5_000).emitWithAck(event, ...args);
  /** Resolves to 'no ack' when the server never calls the ack. */
  const askExpectingSilence = (socket: Socket, event: string, ...args: unknown[]): Promise<unknown> =>
    socket.timeout(300).emitWithAck(event, ...args).catch(() => 'no ack');
  const eventsNamed = (received: Array<[string, unknown]>, name: string): unknown[] => received.filter(([event]) => event === name).map(([, data]) => data);

  beforeAll(async () => {
    ({ app, url } = await listenInProcess(BindingModule));
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await app?.close();
  });

  beforeEach(() => seen.reset());

  it('acks a returned value, a Promise, and the first value of an Observable', async () => {
    const { socket } = await connect();
    expect(await ask(socket, 'value', { a: 1 })).toEqual({ echo: { a: 1 } });
    expect(await ask(socket, 'promise', 'p')).toEqual({ later: 'p' });
    expect(await ask(socket, 'observable')).toBe(1);
  });

  it('runs handlers without an ack and sends nothing back for a plain value', async () => {
    const { socket, received } = await connect();
    socket.emit('value', 'no-ack');
    await waitFor(() => seen.runs.get('value') === 1);
    await sleep(100);
    expect(received.filter(([event]) => !event.startsWith('rs:'))).toEqual([]);
  });

  it('never acks null or undefined results', async () => {
    const { socket } = await connect();
    expect(await askExpectingSilence(socket, 'nothing', {})).toBe('no ack');
    expect(await askExpectingSilence(socket, 'nothing', { null: true })).toBe('no ack');
    expect(seen.runs.get('nothing')).toBe(2);
  });

  it('emits { event, data } results back as events, each value of an Observable, and does not ack them', async () => {
    const { socket, received } = await connect();
    expect(await askExpectingSilence(socket, 'reply-event', 'ping')).toBe('no ack');
    expect(eventsNamed(received, 'pong')).toEqual(['ping']);
    socket.emit('events');
    await waitFor(() => eventsNamed(received, 'tick').length === 2);
    expect(eventsNamed(received, 'tick')).toEqual([1, 2]);
  });

  it('hands the handler its data as IoAdapter does: one argument as is, several as an array, none as undefined', async () => {
    const { socket } = await connect();
    expect(await ask(socket, 'args', 'one')).toEqual({ body: 'one' });
    expect(await ask(socket, 'args', 'one', 'two')).toEqual({ body: ['one', 'two'] });
    expect(await ask(socket, 'args', ['in', 'array'])).toEqual({ body: ['in', 'array'] });
    expect(await ask(socket, 'args')).toEqual({ body: 'none' });
  });

  it('lets a handler that takes @Ack() answer by itself', async () => {
    const { socket } = await connect();
    expect(await ask(socket, 'manual', 'm')).toBe('manual:m');
  });

  it('routes exceptions through the exception filters: the default one, a handler filter, an Observable error', async () => {
    const { socket, received } = await connect();
    socket.emit('fail', { x: 1 });
    socket.emit('fail-later');
    await waitFor(() => eventsNamed(received, 'exception').length === 2);
    expect(eventsNamed(received, 'exception')).toEqual(
      expect.arrayContaining([
        { status: 'error', message: 'nope', cause: { pattern: 'fail', data: { x: 1 } } },
        { status: 'error', message: 'late', cause: { pattern: 'fail-later', data: undefined } },
      ]),
    );
    expect(await ask(socket, 'fail-filtered')).toEqual({ failed: 'filtered' });
    expect(socket.connected).toBe(true);
  });

  it('applies guards and pipes', async () => {
    const { socket, received } = await connect();
    expect(await askExpectingSilence(socket, 'guarded')).toBe('no ack');
    expect(seen.runs.get('guarded')).toBeUndefined();
    expect(await askExpectingSilence(socket, 'validated', { count: 0 })).toBe('no ack');
    await waitFor(() => eventsNamed(received, 'exception').length === 2);
    expect(eventsNamed(received, 'exception').map((error) => (error as { message: string }).message)).toEqual(['Forbidden resource', 'invalid count']);
    expect(await ask(socket, 'validated', { count: 4 })).toBe(8);
  });

  it('stops live Observable results when the client disconnects, and runs both gateways\' handleDisconnect', async () => {
    const { socket, received } = await connect();
    const id = socket.id!;
    const serverSocket = seen.serverSockets.get(id)!;
    socket.emit('stream');
    await waitFor(() => eventsNamed(received, 'beat').length >= 2);
    const listenersWithOneStream = serverSocket.listenerCount('disconnect');
    for (let i = 0; i < 11; i += 1) socket.emit('stream');
    await waitFor(() => seen.streamsOpen === 12);
    // However many results are live, the socket does not get a disconnect listener per result.
    expect(serverSocket.listenerCount('disconnect')).toBe(listenersWithOneStream);
    socket.disconnect();
    await waitFor(() => seen.streamsOpen === 0);
    await waitFor(() => seen.disconnects.length === 2);
    expect([...seen.disconnects].sort()).toEqual([`main:${id}`, `side:${id}`]);
  });

  it('handles no message on a socket once it has disconnected', async () => {
    const { socket } = await connect();
    const serverSocket = seen.serverSockets.get(socket.id!)!;
    // Delivered as Socket.IO delivers an incoming event: to the socket's listeners.
    EventEmitter.prototype.emit.call(serverSocket, 'value', 'before');
    await waitFor(() => seen.runs.get('value') === 1);
    socket.disconnect();
    await waitFor(() => serverSocket.disconnected);
    EventEmitter.prototype.emit.call(serverSocket, 'value', 'after');
    await sleep(50);
    expect(seen.runs.get('value')).toBe(1);
  });

  it('serves several gateways on one namespace and the same message name on two namespaces, per socket', async () => {
    const [{ socket: first }, { socket: second }, { socket: other }] = await Promise.all([connect(), connect(), connect('/other')]);
    expect(await ask(first, 'side', 's')).toBe('side:s');
    expect(await ask(first, 'whoami')).toBe(`binding:${first.id}`);
    expect(await ask(second, 'whoami')).toBe(`binding:${second.id}`);
    expect(await ask(other, 'value', 'v')).toEqual({ other: 'v' });
    expect(await ask(first, 'value', 'v')).toEqual({ echo: 'v' });
  });

  it('keeps @Reliable() handlers working: one run per message id, the same reply to a duplicate', async () => {
    const { socket } = await connect('/binding', 'rhea');
    const envelope = { id: 'binding-1', sid: 'rhea-tab', seq: 1, data: { text: 'hello' } };
    const first = await ask(socket, 'reliable-echo', envelope);
    const duplicate = await ask(socket, 'reliable-echo', envelope);
    expect(first).toEqual({ ok: true, result: { text: 'HELLO' } });
    expect(duplicate).toEqual(first);
    expect(seen.runs.get('reliable-echo')).toBe(1);
  });
});
