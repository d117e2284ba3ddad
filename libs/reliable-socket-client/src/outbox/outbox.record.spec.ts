import { describe, expect, it } from '@jest/globals';
import { isOutboxMessage, messageJson, outboxJson, type StoredMessage } from './outbox.record.js';
import type { OutboxMessage } from './outbox.store.js';

const message = (over: Partial<OutboxMessage> = {}): OutboxMessage => ({
  id: 'm1', sid: 'S', event: 'note:save', data: { text: 'hi', list: [1, null, 'x'] }, seq: 3, createdAt: 1_700_000_000_123, ...over,
});

const stored = (m: OutboxMessage): StoredMessage => ({ message: m, json: messageJson(m, JSON.stringify(m.data)) });

describe('outbox record text', () => {
  it('messageJson is JSON.stringify of the message, also for names that need escaping', () => {
    for (const m of [
      message(),
      message({ event: 'a "quoted"\\ \n name \u2028 é', id: '\u0001id', sid: '{"sid"}', data: null }),
      message({ data: 'text', createdAt: 0.5 }),
      message({ data: [] }),
    ]) {
      expect(messageJson(m, JSON.stringify(m.data))).toBe(JSON.stringify(m));
    }
  });

  it('outboxJson is JSON.stringify of the record, empty or not', () => {
    const seqs = new Map([['note:save', 3], ['2', 1], ['order', 7]]);
    const messages = [message(), message({ id: 'm2', seq: 4, data: 7 })];
    expect(outboxJson({ sid: 'S', seqs, messages: messages.map(stored) })).toBe(
      JSON.stringify({ sid: 'S', seqs: Object.fromEntries(seqs), messages }),
    );
    expect(outboxJson({ sid: 'S', seqs: new Map(), messages: [] })).toBe(JSON.stringify({ sid: 'S', seqs: {}, messages: [] }));
  });

  it('isOutboxMessage accepts what messageJson stores, and refuses incomplete messages', () => {
    const m = message();
    expect(isOutboxMessage(JSON.parse(messageJson(m, JSON.stringify(m.data))))).toBe(true);
    expect(isOutboxMessage({ ...m, seq: 0 })).toBe(false);
    expect(isOutboxMessage({ ...m, id: '' })).toBe(false);
    const { data: _data, ...withoutData } = m;
    expect(isOutboxMessage(withoutData)).toBe(false);
    expect(isOutboxMessage(null)).toBe(false);
  });
});
