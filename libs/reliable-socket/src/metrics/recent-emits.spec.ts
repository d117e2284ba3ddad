import { describe, expect, it } from '@jest/globals';
import { RecentEmits } from './recent-emits.js';

function recorder(limits = { streams: 10, perStream: 10 }) {
  const acked: Array<[string, number]> = [];
  return { acked, emits: new RecentEmits(limits, (namespace, elapsed) => acked.push([namespace, elapsed])) };
}

describe('RecentEmits', () => {
  it('reports each message the cumulative ack covers once, with the time since its append', () => {
    const { emits, acked } = recorder();
    emits.record('s', '/chat', 'e', 1, 100);
    emits.record('s', '/chat', 'e', 2, 110);
    emits.record('s', '/chat', 'e', 3, 120);
    emits.acknowledged('s', 2, 150);
    expect(acked).toEqual([['/chat', 50], ['/chat', 40]]);
    emits.acknowledged('s', 2, 160);
    expect(acked).toHaveLength(2);
    emits.acknowledged('s', 9, 200);
    expect(acked).toEqual([['/chat', 50], ['/chat', 40], ['/chat', 80]]);
    expect(emits.size).toBe(0);
  });

  it('handles appends that completed out of offset order', () => {
    const { emits, acked } = recorder();
    emits.record('s', '/chat', 'e', 5, 10);
    emits.record('s', '/chat', 'e', 4, 20);
    emits.acknowledged('s', 4, 30);
    expect(acked).toEqual([['/chat', 10]]);
    emits.acknowledged('s', 5, 40);
    expect(acked).toEqual([['/chat', 10], ['/chat', 30]]);
  });

  it('ignores acks of streams it does not track', () => {
    const { emits, acked } = recorder();
    emits.acknowledged('unknown', 10, 10);
    expect(acked).toEqual([]);
  });

  it('keeps only the newest appends of a stream', () => {
    const { emits, acked } = recorder({ streams: 10, perStream: 2 });
    for (let offset = 1; offset <= 5; offset += 1) emits.record('s', '/chat', 'e', offset, offset);
    emits.acknowledged('s', 5, 10);
    expect(acked.map(([, elapsed]) => elapsed)).toEqual([6, 5]);
  });

  it('drops the oldest stream when too many are tracked', () => {
    const { emits, acked } = recorder({ streams: 2, perStream: 10 });
    emits.record('a', '/chat', 'e', 1, 0);
    emits.record('b', '/chat', 'e', 1, 0);
    emits.record('c', '/chat', 'e', 1, 0);
    expect(emits.size).toBe(2);
    emits.acknowledged('a', 1, 5);
    expect(acked).toEqual([]);
    emits.acknowledged('c', 1, 5);
    expect(acked).toEqual([['/chat', 5]]);
  });

  it('forgets what it remembered of a previous epoch', () => {
    const { emits, acked } = recorder();
    emits.record('s', '/chat', 'old', 40, 0);
    emits.record('s', '/chat', 'new', 1, 10);
    emits.acknowledged('s', 50, 20);
    expect(acked).toEqual([['/chat', 10]]);
  });
});
