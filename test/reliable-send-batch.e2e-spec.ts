/**
 * `rs:send`: reliable messages several to a packet, as the SDK sends them, with their replies in `rs:reply`
 * packets. Each message takes the same path as one emitted alone under its event (envelope checks, guards,
 * the exactly-once runner), whichever gateway of the namespace handles it. One in-process app (in-memory
 * store), a real socket.io-client socket speaking the wire protocol by hand.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io-client';
import { Reliable, ReliableSocketModule } from '@reliable-socket/nestjs';
import { MAX_SEND_BATCH, WireEvent, type SendEnvelope, type SendReply } from '@reliable-socket/client/protocol';
import { connectSocket, listenInProcess, TEST_HEARTBEAT, userFromHandshake } from './fixtures/in-process.node.js';
import { sleep, waitFor } from './support/wait.js';

const runs: string[] = [];

@WebSocketGateway({ namespace: '/batch' })
class EchoGateway {
  @Reliable()
  @SubscribeMessage('echo')
  echo(@MessageBody() body: { n: number }): number {
    runs.push(`echo ${body.n}`);
    return body.n;
  }

  @SubscribeMessage('plain')
  plain(): string {
    runs.push('plain');
    return 'not a reliable reply';
  }
}

/** A second gateway on the same namespace: its messages share the packets. */
@WebSocketGateway({ namespace: '/batch' })
class ShoutGateway {
  @Reliable()
  @SubscribeMessage('shout')
  shout(@MessageBody() body: { text: string }): string {
    runs.push(`shout ${body.text}`);
    return body.text.toUpperCase();
  }
}

@Module({
  imports: [ReliableSocketModule.forRoot({ keyPrefix: 'reliable-send-batch:', heartbeat: TEST_HEARTBEAT, authenticate: userFromHandshake })],
  providers: [EchoGateway, ShoutGateway],
})
class BatchModule {}

describe('rs:send packets of reliable messages', () => {
  let app: INestApplication;
  let socket: Socket;
  /** Every `rs:reply` packet received, in order. */
  const replyPackets: Array<Array<[string, SendReply]>> = [];
  let nextId = 0;

  const envelope = (data: unknown, id = `b-${(nextId += 1)}`): SendEnvelope => ({ id, sid: 'tab-1', seq: nextId, data });
  const repliesTo = (id: string): SendReply[] => replyPackets.flat().filter(([repliedId]) => repliedId === id).map(([, reply]) => reply);
  /** Sends one packet and resolves with the first reply to each of `ids`. */
  async function send(items: unknown, ids: string[]): Promise<SendReply[]> {
    socket.emit(WireEvent.Send, items);
    await waitFor(() => ids.every((id) => repliesTo(id).length > 0), { message: `replies to ${ids.join(', ')}` });
    return ids.map((id) => repliesTo(id)[0]);
  }

  beforeAll(async () => {
    let url: string;
    ({ app, url } = await listenInProcess(BatchModule));
    socket = await connectSocket(`${url}/batch`, { user: 'bo' });
    socket.on(WireEvent.Reply, (replies: Array<[string, SendReply]>) => replyPackets.push(replies));
  });

  afterAll(async () => {
    socket?.close();
    await app?.close();
  });

  beforeEach(() => {
    runs.length = 0;
    replyPackets.length = 0;
  });

  it('runs each message of a packet once, with the handlers of both gateways, and answers them together in one rs:reply packet', async () => {
    const messages = [envelope({ n: 1 }), envelope({ text: 'hi' }), envelope({ n: 2 })];
    const items = [['echo', messages[0]], ['shout', messages[1]], ['echo', messages[2]]];
    expect(await send(items, messages.map((m) => m.id))).toEqual([{ ok: true, result: 1 }, { ok: true, result: 'HI' }, { ok: true, result: 2 }]);
    expect(runs.sort()).toEqual(['echo 1', 'echo 2', 'shout hi']);
    expect(replyPackets).toHaveLength(1);

    // The same packet again: duplicates, answered from the record without running anything.
    replyPackets.length = 0;
    expect(await send(items, messages.map((m) => m.id))).toEqual([{ ok: true, result: 1 }, { ok: true, result: 'HI' }, { ok: true, result: 2 }]);
    expect(runs).toHaveLength(3);
  });

  it('runs a message twice in one packet once, and answers both copies with its reply', async () => {
    const message = envelope({ n: 7 });
    socket.emit(WireEvent.Send, [['echo', message], ['echo', message]]);
    await waitFor(() => repliesTo(message.id).length === 2, { message: 'both replies' });
    expect(repliesTo(message.id)).toEqual([{ ok: true, result: 7 }, { ok: true, result: 7 }]);
    expect(runs).toEqual(['echo 7']);
  });

  it('answers a message for an event no gateway handles with BAD_REQUEST, and never runs a library or Socket.IO listener for it', async () => {
    const unknown = envelope({ n: 1 });
    const disconnect = envelope({ n: 2 });
    const ack = envelope({ n: 3 });
    const replies = await send([['nope', unknown], ['disconnect', disconnect], [WireEvent.Ack, ack]], [unknown.id, disconnect.id, ack.id]);
    expect(replies).toEqual([
      { ok: false, error: { code: 'BAD_REQUEST', message: 'no gateway handler for "nope" in namespace /batch' } },
      { ok: false, error: { code: 'BAD_REQUEST', message: 'no gateway handler for "disconnect" in namespace /batch' } },
      { ok: false, error: { code: 'BAD_REQUEST', message: `no gateway handler for "${WireEvent.Ack}" in namespace /batch` } },
    ]);
    expect(socket.connected).toBe(true);
    expect(runs).toEqual([]);
  });

  it('answers a malformed envelope with the error a single message gets, and drops a message without an id, answering the rest', async () => {
    const badSid = { ...envelope({ n: 1 }), sid: 'not valid!' };
    const fine = envelope({ n: 2 });
    const replies = await send([['echo', badSid], ['echo', { sid: 'tab-1', seq: 1, data: { n: 3 } }], 'junk', ['echo', null], ['echo', fine]], [badSid.id, fine.id]);
    expect(replies).toEqual([
      { ok: false, error: { code: 'BAD_REQUEST', message: 'malformed reliable message: "sid" must be 1-128 characters of [A-Za-z0-9_.:-]' } },
      { ok: true, result: 2 },
    ]);
    expect(runs).toEqual(['echo 2']);
    expect(replyPackets.flat()).toHaveLength(2);
  });

  it(`answers the messages beyond ${MAX_SEND_BATCH} in one packet with BAD_REQUEST, running only the first ${MAX_SEND_BATCH}`, async () => {
    const messages = Array.from({ length: MAX_SEND_BATCH + 2 }, (_, n) => envelope({ n }));
    const replies = await send(messages.map((m) => ['echo', m]), messages.map((m) => m.id));
    expect(replies.slice(0, MAX_SEND_BATCH)).toEqual(messages.slice(0, MAX_SEND_BATCH).map((_, n) => ({ ok: true, result: n })));
    expect(replies.slice(MAX_SEND_BATCH)).toEqual([0, 1].map(() => ({ ok: false, error: { code: 'BAD_REQUEST', message: `over ${MAX_SEND_BATCH} messages in one rs:send packet` } })));
    expect(runs).toHaveLength(MAX_SEND_BATCH);
  });

  it('hands a message for a handler without @Reliable() its return value, as a single emit would get it', async () => {
    const message = envelope({ n: 1 });
    expect(await send([['plain', message]], [message.id])).toEqual(['not a reliable reply']);
    expect(runs).toEqual(['plain']);
  });

  it('ignores a packet that is not a list, and stays connected', async () => {
    socket.emit(WireEvent.Send, { not: 'a list' });
    socket.emit(WireEvent.Send);
    await sleep(100);
    expect(replyPackets).toEqual([]);
    const message = envelope({ n: 9 });
    expect(await send([['echo', message]], [message.id])).toEqual([{ ok: true, result: 9 }]);
  });
});
