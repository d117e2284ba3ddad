import { describe, expect, it } from '@jest/globals';
import type { BatchEnvelope, Cursor, LiveEnvelope, WireMessage } from '../protocol.js';
import type { ReliableErrorEvent } from '../lifecycle/lifecycle.events.js';
import type { SequencerContext } from './sequencer.context.js';
import { StreamRouter } from './stream.router.js';

const wire = (offset: number): WireMessage => ({ offset, event: 'note', data: null, ts: 1 });
const live = (stream: string, offset: number): LiveEnvelope => ({ stream, epoch: 'E1', ...wire(offset) });
const batch = (stream: string, after: number, offsets: number[]): BatchEnvelope => ({ stream, epoch: 'E1', after, messages: offsets.map(wire) });

function harness(deliver: SequencerContext['deliver'], stored: Record<string, Cursor> = {}) {
  const recovered: Array<{ stream: string; count: number }> = [];
  const errors: ReliableErrorEvent[] = [];
  const fetched: string[] = [];
  const state = { connected: true };
  const ctx: SequencerContext = {
    deliver,
    commit: async () => undefined,
    fetch: (request) => fetched.push(request.stream),
    isConnected: () => state.connected,
    onGap: () => undefined,
    onError: (error) => errors.push(error),
    gapHoldMs: 5,
    retry: { baseMs: 10, maxMs: 10 },
  };
  const router = new StreamRouter(ctx, (stream) => stored[stream], (stream, count) => recovered.push({ stream, count }));
  return { router, recovered, errors, fetched, state };
}

describe('StreamRouter', () => {
  it('starts each stream from its stored cursor', async () => {
    const delivered: string[] = [];
    const h = harness(async (stream, m) => void delivered.push(`${stream}@${m.offset}`), { a: { epoch: 'E1', offset: 4 } });
    await h.router.live(live('a', 5));
    await h.router.live(live('a', 4));
    expect(delivered).toEqual(['a@5']);
    expect(h.router.sequencer('a').position()).toEqual({ epoch: 'E1', offset: 5 });
  });

  it('lets a stream progress while another one is stuck in a slow handler', async () => {
    const delivered: string[] = [];
    let release!: () => void;
    const h = harness(async (stream, m) => {
      if (stream === 'slow') await new Promise<void>((resolve) => (release = resolve));
      delivered.push(`${stream}@${m.offset}`);
    }, { slow: { epoch: 'E1', offset: 0 }, fast: { epoch: 'E1', offset: 0 } });
    const slow = h.router.live(live('slow', 1));
    await h.router.live(live('fast', 1));
    await h.router.live(live('fast', 2));
    expect(delivered).toEqual(['fast@1', 'fast@2']);
    release();
    await slow;
    expect(delivered).toEqual(['fast@1', 'fast@2', 'slow@1']);
  });

  it('keeps other streams going when one stream fails', async () => {
    const delivered: string[] = [];
    const h = harness(async (stream, m) => {
      if (stream === 'bad') throw new Error('broken');
      delivered.push(`${stream}@${m.offset}`);
    }, { bad: { epoch: 'E1', offset: 0 }, good: { epoch: 'E1', offset: 0 } });
    await h.router.live(live('bad', 1));
    await h.router.live(live('good', 1));
    expect(delivered).toEqual(['good@1']);
    expect(h.errors.map((e) => e.stream)).toEqual(['bad']);
  });

  it('reports recovered counts per stream after a sync, once replay work is done, then resets them', async () => {
    let release!: () => void;
    const h = harness(async (stream, m) => {
      if (stream === 'b' && m.offset === 2) await new Promise<void>((resolve) => (release = resolve));
    });
    void h.router.batch(batch('a', 0, [1, 2, 3]));
    void h.router.batch(batch('b', 0, [1, 2]));
    void h.router.batch(batch('c', 0, []));
    const synced = h.router.synced({ streams: [{ stream: 'a', epoch: 'E1', head: 3 }, { stream: 'b', epoch: 'E1', head: 2 }] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(h.recovered).toEqual([]);
    release();
    await synced;
    expect(h.recovered).toEqual([{ stream: 'a', count: 3 }, { stream: 'b', count: 2 }]);
    await h.router.synced({ streams: [] });
    expect(h.recovered).toHaveLength(2);
  });

  it('re-checks holes of streams a sync does not name', async () => {
    const h = harness(async () => undefined, { a: { epoch: 'E1', offset: 0 } });
    h.state.connected = false; // the hole appears just before a disconnect: nothing is fetched
    await h.router.live(live('a', 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.fetched).toEqual([]);
    h.state.connected = true;
    await h.router.synced({ streams: [{ stream: 'b', epoch: 'E1', head: 0 }] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.fetched).toEqual(['a']);
  });

  it('creates the sequencer of a stream first named by a sync', async () => {
    const h = harness(async () => undefined);
    await h.router.synced({ streams: [{ stream: 'room:x', epoch: 'E9', head: 17 }] });
    expect(h.router.sequencer('room:x').position()).toEqual({ epoch: 'E9', offset: 17 });
  });
});
