import { describe, expect, it } from '@jest/globals';
import type { SendEnvelope, SendReply } from '../protocol.js';
import { OutboxSender, type SendTransport } from './outbox.sender.js';
import type { OutboxMessage } from './outbox.store.js';

interface Attempt {
  event: string;
  envelope: SendEnvelope;
  ackTimeoutMs: number;
  reply(reply: unknown): void;
  /** What socket.io does on ack timeout or disconnect. */
  fail(): void;
}

/** A socket whose acks the test gives (or withholds) by hand. */
class FakeTransport implements SendTransport {
  connected = true;
  readonly attempts: Attempt[] = [];
  throwOnEmit: Error | undefined;

  isConnected(): boolean {
    return this.connected;
  }

  emit(event: string, envelope: SendEnvelope, ackTimeoutMs: number): Promise<unknown> {
    if (this.throwOnEmit) throw this.throwOnEmit;
    return new Promise((resolve, reject) => {
      this.attempts.push({ event, envelope, ackTimeoutMs, reply: resolve, fail: () => reject(new Error('operation has timed out')) });
    });
  }

  /** Ids of the attempts made, in order. */
  ids(): string[] {
    return this.attempts.map((a) => a.envelope.id);
  }

  latest(id: string): Attempt {
    return this.attempts.filter((a) => a.envelope.id === id).at(-1)!;
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

const message = (n: number, event = 'op'): OutboxMessage => ({ id: `m${n}`, sid: 'S', event, data: { n }, seq: n, createdAt: 0 });

function harness(maxInFlight = 32, connected = true) {
  const transport = new FakeTransport();
  transport.connected = connected;
  const replies: Array<{ id: string; reply: SendReply }> = [];
  const sender = new OutboxSender(transport, { maxInFlight, ackTimeoutMs: 1234 }, (m, reply) => replies.push({ id: m.id, reply }));
  return { transport, sender, replies };
}

describe('OutboxSender', () => {
  it('emits the envelope under the application event, with the per-attempt ack timeout', () => {
    const { transport, sender } = harness();
    sender.push(message(1, 'order:place'));
    expect(transport.attempts).toEqual([
      expect.objectContaining({ event: 'order:place', envelope: { id: 'm1', sid: 'S', seq: 1, data: { n: 1 } }, ackTimeoutMs: 1234 }),
    ]);
  });

  it('keeps at most maxInFlight unacked, in send order, and fills the window as acks come', async () => {
    const { transport, sender, replies } = harness(2);
    for (let n = 1; n <= 5; n += 1) sender.push(message(n));
    expect(transport.ids()).toEqual(['m1', 'm2']);
    expect(sender.inFlightCount).toBe(2);
    transport.latest('m2').reply({ ok: true, result: 2 });
    await settle();
    expect(transport.ids()).toEqual(['m1', 'm2', 'm3']);
    transport.latest('m1').reply({ ok: true, result: 1 });
    transport.latest('m3').reply({ ok: true, result: 3 });
    await settle();
    expect(transport.ids()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(replies.map((r) => r.id)).toEqual(['m2', 'm1', 'm3']);
    expect(replies[0].reply).toEqual({ ok: true, result: 2 });
  });

  it('sends nothing while disconnected, then everything queued in order on connect', () => {
    const { transport, sender } = harness(32, false);
    for (let n = 1; n <= 3; n += 1) sender.push(message(n));
    expect(transport.attempts).toEqual([]);
    transport.connected = true;
    sender.connected();
    expect(transport.ids()).toEqual(['m1', 'm2', 'm3']);
  });

  it('resends every unacked message, in order, on each reconnect; attempts of the old connection are void', async () => {
    const { transport, sender, replies } = harness(2);
    for (let n = 1; n <= 3; n += 1) sender.push(message(n));
    transport.latest('m1').reply({ ok: true, result: 1 });
    await settle();
    expect(transport.ids()).toEqual(['m1', 'm2', 'm3']);
    transport.connected = false;
    sender.disconnected();
    transport.latest('m2').fail(); // socket.io rejects pending acks on disconnect
    transport.latest('m3').fail();
    await settle();
    expect(transport.attempts).toHaveLength(3); // no resend while down
    transport.connected = true;
    sender.connected();
    expect(transport.ids().slice(3)).toEqual(['m2', 'm3']);
    sender.disconnected();
    sender.connected(); // another drop before any ack: the same two go again, still in order
    expect(transport.ids().slice(5)).toEqual(['m2', 'm3']);
    expect(replies).toHaveLength(1);
  });

  it('resends on the same connection when an attempt times out, with the same id and seq', async () => {
    const { transport, sender, replies } = harness();
    sender.push(message(1));
    transport.latest('m1').fail();
    await settle();
    expect(transport.attempts).toHaveLength(2);
    expect(transport.attempts[1].envelope).toEqual(transport.attempts[0].envelope);
    transport.latest('m1').fail();
    await settle();
    expect(transport.attempts).toHaveLength(3);
    transport.latest('m1').reply({ ok: true, result: 'done' });
    await settle();
    expect(replies).toEqual([{ id: 'm1', reply: { ok: true, result: 'done' } }]);
    expect(sender.inFlightCount).toBe(0);
  });

  it('treats an error reply as final: reported once, never retried', async () => {
    const { transport, sender, replies } = harness();
    sender.push(message(1));
    const error = { ok: false, error: { code: 'FORBIDDEN', message: 'no', details: { why: 1 } } };
    transport.latest('m1').reply(error);
    await settle();
    sender.disconnected();
    sender.connected();
    expect(transport.attempts).toHaveLength(1);
    expect(replies).toEqual([{ id: 'm1', reply: error }]);
  });

  it('takes the first reply for an id, whichever attempt it answers, and ignores later ones', async () => {
    const { transport, sender, replies } = harness();
    sender.push(message(1));
    const first = transport.latest('m1');
    sender.disconnected();
    sender.connected();
    const second = transport.latest('m1');
    expect(second).not.toBe(first);
    first.reply({ ok: true, result: 'first' }); // a buffered packet acked late
    second.reply({ ok: true, result: 'first' });
    await settle();
    expect(replies).toEqual([{ id: 'm1', reply: { ok: true, result: 'first' } }]);
  });

  it('takes a late reply to an attempt of the old connection while the message waits to be resent', async () => {
    const { transport, sender, replies } = harness(1);
    sender.push(message(1));
    sender.push(message(2));
    transport.connected = false;
    sender.disconnected();
    transport.latest('m1').reply({ ok: true, result: 'late' }); // a buffered ack
    await settle();
    transport.connected = true;
    sender.connected();
    expect(transport.ids()).toEqual(['m1', 'm2']);
    expect(replies).toEqual([{ id: 'm1', reply: { ok: true, result: 'late' } }]);
  });

  it('turns a malformed reply, or an emit that throws, into a final BAD_REQUEST', async () => {
    const { transport, sender, replies } = harness();
    sender.push(message(1));
    transport.latest('m1').reply('not a reply');
    transport.throwOnEmit = new Error('"connect" is a reserved event name');
    sender.push(message(2));
    await settle();
    expect(replies).toEqual([
      { id: 'm1', reply: { ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) } },
      { id: 'm2', reply: { ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('reserved') }) } },
    ]);
    expect(transport.attempts).toHaveLength(1);
  });

  it('forget() stops a message, frees its slot for the next one and ignores its late reply', async () => {
    const { transport, sender, replies } = harness(1);
    sender.push(message(1));
    sender.push(message(2));
    sender.push(message(3));
    sender.forget('m3'); // queued, never sent
    sender.forget('m1'); // in flight
    expect(transport.ids()).toEqual(['m1', 'm2']);
    transport.latest('m1').reply({ ok: true, result: 1 });
    transport.latest('m2').fail();
    await settle();
    expect(replies).toEqual([]);
    expect(transport.ids()).toEqual(['m1', 'm2', 'm2']);
  });

  describe('UNAVAILABLE replies (the server could not reach its store)', () => {
    const unavailable = { ok: false, error: { code: 'UNAVAILABLE', message: 'the message store is unavailable; retry later' } };
    const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

    function pausedHarness(backoffMs: number) {
      const transport = new FakeTransport();
      const replies: Array<{ id: string; reply: SendReply }> = [];
      const sender = new OutboxSender(transport, { maxInFlight: 32, ackTimeoutMs: 1234, unavailableBackoff: { baseMs: backoffMs, maxMs: backoffMs } }, (m, reply) => replies.push({ id: m.id, reply }));
      return { transport, sender, replies };
    }

    it('keeps the message queued, pauses every send, and resends in order after the backoff', async () => {
      const { transport, sender, replies } = pausedHarness(1);
      sender.push(message(1));
      transport.latest('m1').reply(unavailable);
      await settle();
      sender.push(message(2)); // queued behind m1 while paused
      expect(transport.ids()).toEqual(['m1']);
      expect(replies).toEqual([]);
      await tick();
      expect(transport.ids()).toEqual(['m1', 'm1', 'm2']);
      transport.latest('m1').reply({ ok: true, result: 1 });
      transport.latest('m2').reply({ ok: true, result: 2 });
      await settle();
      expect(replies).toEqual([{ id: 'm1', reply: { ok: true, result: 1 } }, { id: 'm2', reply: { ok: true, result: 2 } }]);
      sender.close();
    });

    it('resends at once on a new connection instead of waiting for the backoff', async () => {
      const { transport, sender } = pausedHarness(60_000);
      sender.push(message(1));
      transport.latest('m1').reply(unavailable);
      await settle();
      expect(transport.ids()).toEqual(['m1']);
      sender.disconnected();
      sender.connected();
      expect(transport.ids()).toEqual(['m1', 'm1']);
      sender.close();
    });

    it('resends in send order after the backoff, whatever order the attempts came back in', async () => {
      const { transport, sender } = pausedHarness(1);
      for (let n = 1; n <= 4; n += 1) sender.push(message(n));
      transport.latest('m3').reply(unavailable);
      await settle();
      transport.latest('m4').fail();
      transport.latest('m1').fail();
      await settle();
      expect(sender.inFlightCount).toBe(1); // m2 is still out
      await tick();
      expect(transport.ids().slice(4)).toEqual(['m1', 'm3', 'm4']);
      sender.close();
    });

    it('does not retry an attempt that timed out while paused; the resume sends it', async () => {
      const { transport, sender } = pausedHarness(60_000);
      sender.push(message(1));
      sender.push(message(2));
      transport.latest('m1').reply(unavailable);
      await settle();
      transport.latest('m2').fail();
      await settle();
      expect(transport.ids()).toEqual(['m1', 'm2']);
      expect(sender.inFlightCount).toBe(0);
      sender.connected();
      expect(transport.ids()).toEqual(['m1', 'm2', 'm1', 'm2']);
      sender.close();
    });
  });
});
