import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AckEnvelope } from '../protocol.js';
import { AckBatcher } from './ack.batcher.js';

function harness(threshold?: number) {
  const sent: AckEnvelope[] = [];
  const state = { connected: true };
  const batcher = new AckBatcher({ intervalMs: 50, threshold, isConnected: () => state.connected, send: (e) => sent.push(e) });
  return { batcher, sent, state };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('AckBatcher', () => {
  it('sends one cumulative ack per interval with the latest offset of each stream', () => {
    const h = harness();
    h.batcher.record('a', 1);
    h.batcher.record('a', 2);
    h.batcher.record('b', 7);
    h.batcher.record('a', 3);
    jest.advanceTimersByTime(49);
    expect(h.sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(h.sent).toEqual([{ acks: { a: 3, b: 7 } }]);
  });

  it('only names streams that moved since the last ack', () => {
    const h = harness();
    h.batcher.record('a', 3);
    h.batcher.record('b', 1);
    jest.advanceTimersByTime(50);
    h.batcher.record('a', 3);
    h.batcher.record('b', 2);
    jest.advanceTimersByTime(50);
    expect(h.sent).toEqual([{ acks: { a: 3, b: 1 } }, { acks: { b: 2 } }]);
  });

  it('flushes at once when the threshold of unacked messages is reached', () => {
    const h = harness(3);
    h.batcher.record('a', 1);
    h.batcher.record('a', 2);
    expect(h.sent).toEqual([]);
    h.batcher.record('b', 1);
    expect(h.sent).toEqual([{ acks: { a: 2, b: 1 } }]);
    jest.advanceTimersByTime(100);
    expect(h.sent).toHaveLength(1);
  });

  it('defaults the threshold to 100', () => {
    const h = harness();
    for (let offset = 1; offset <= 99; offset += 1) h.batcher.record('a', offset);
    expect(h.sent).toEqual([]);
    h.batcher.record('a', 100);
    expect(h.sent).toEqual([{ acks: { a: 100 } }]);
  });

  it('keeps acks while disconnected and sends them on the flush of the next connect', () => {
    const h = harness();
    h.state.connected = false;
    h.batcher.record('a', 4);
    jest.advanceTimersByTime(500);
    h.batcher.flush();
    expect(h.sent).toEqual([]);
    h.state.connected = true;
    h.batcher.flush();
    expect(h.sent).toEqual([{ acks: { a: 4 } }]);
  });

  it('keeps acks whose timer fired during a disconnect', () => {
    const h = harness();
    h.batcher.record('a', 1);
    h.state.connected = false;
    jest.advanceTimersByTime(50);
    expect(h.sent).toEqual([]);
    h.state.connected = true;
    h.batcher.flush();
    expect(h.sent).toEqual([{ acks: { a: 1 } }]);
  });

  it('ignores offsets below 1 and sends a lower offset after an epoch reset', () => {
    const h = harness();
    h.batcher.record('a', 0);
    jest.advanceTimersByTime(50);
    expect(h.sent).toEqual([]);
    h.batcher.record('a', 9);
    h.batcher.flush();
    h.batcher.record('a', 2);
    h.batcher.flush();
    expect(h.sent).toEqual([{ acks: { a: 9 } }, { acks: { a: 2 } }]);
  });

  it('stop() cancels the timer but keeps what is pending', () => {
    const h = harness();
    h.batcher.record('a', 1);
    h.batcher.stop();
    jest.advanceTimersByTime(100);
    expect(h.sent).toEqual([]);
    h.batcher.flush();
    expect(h.sent).toEqual([{ acks: { a: 1 } }]);
  });
});
