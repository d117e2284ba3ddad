import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { BatchEnvelope, Cursor, ErrorReply, FetchRequest, Gap, LiveEnvelope, WireMessage } from '../protocol.js';
import type { ReliableErrorEvent } from '../lifecycle/lifecycle.events.js';
import type { FetchCallback, SequencerContext } from './sequencer.context.js';
import { StreamSequencer } from './stream.sequencer.js';

const STREAM = 'user:1';
const HOLD = 250;

const wire = (offset: number, event = 'note'): WireMessage => ({ offset, event, data: { n: offset }, ts: 1 });
const live = (offset: number, epoch = 'E1'): LiveEnvelope => ({ stream: STREAM, epoch, ...wire(offset) });
const batchOf = (after: number, offsets: number[], epoch = 'E1'): BatchEnvelope => ({ stream: STREAM, epoch, after, messages: offsets.map((o) => wire(o)) });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface PendingFetch {
  request: FetchRequest;
  reply: FetchCallback;
}

function harness(cursor?: Cursor, overrides: Partial<SequencerContext> = {}) {
  const delivered: number[] = [];
  const commits: Cursor[] = [];
  const gaps: Gap[] = [];
  const errors: ReliableErrorEvent[] = [];
  const fetches: PendingFetch[] = [];
  const state = { connected: true };
  const ctx: SequencerContext = {
    deliver: async (_stream, message) => {
      delivered.push(message.offset);
    },
    commit: async (_stream, c) => {
      commits.push(c);
    },
    fetch: (request, reply) => {
      fetches.push({ request, reply });
    },
    isConnected: () => state.connected,
    onGap: (gap) => gaps.push(gap),
    onError: (error) => errors.push(error),
    gapHoldMs: HOLD,
    retry: { baseMs: 100, maxMs: 1000 },
    ...overrides,
  };
  const sequencer = new StreamSequencer(STREAM, cursor, ctx);
  return { sequencer, delivered, commits, gaps, errors, fetches, state };
}

/** Lets queued promise chains run without moving fake time. */
const settle = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('StreamSequencer: live messages', () => {
  it('delivers the next offsets in order and commits each position', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(1));
    await h.sequencer.live(live(2));
    expect(h.delivered).toEqual([1, 2]);
    expect(h.commits).toEqual([{ epoch: 'E1', offset: 1 }, { epoch: 'E1', offset: 2 }]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 2 });
  });

  it('drops offsets at or behind the cursor', async () => {
    const h = harness({ epoch: 'E1', offset: 5 });
    await h.sequencer.live(live(4));
    await h.sequencer.live(live(5));
    await h.sequencer.live(live(6));
    await h.sequencer.live(live(6));
    expect(h.delivered).toEqual([6]);
  });

  it('holds messages after a hole and delivers them in order once it fills by itself', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(3));
    await h.sequencer.live(live(2));
    await h.sequencer.live(live(3)); // duplicate of a held message
    expect(h.delivered).toEqual([]);
    expect(h.sequencer.heldOffsets()).toEqual([2, 3]);
    await h.sequencer.live(live(1));
    expect(h.delivered).toEqual([1, 2, 3]);
    expect(h.sequencer.heldOffsets()).toEqual([]);
    await jest.advanceTimersByTimeAsync(HOLD * 2);
    expect(h.fetches).toHaveLength(0);
  });

  it('fetches the hole after gapHoldMs and delivers the reply then the held messages', async () => {
    const h = harness({ epoch: 'E1', offset: 1 });
    await h.sequencer.live(live(4));
    await jest.advanceTimersByTimeAsync(HOLD - 1);
    expect(h.fetches).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(h.fetches.map((f) => f.request)).toEqual([{ stream: STREAM, after: 1, epoch: 'E1' }]);
    h.fetches[0].reply(null, batchOf(1, [2, 3]));
    await settle();
    expect(h.delivered).toEqual([2, 3, 4]);
    expect(h.gaps).toEqual([]);
    await jest.advanceTimersByTimeAsync(HOLD * 4);
    expect(h.fetches).toHaveLength(1);
  });

  it('does not restart the hold timer when more messages pile up behind the same hole', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(2));
    await jest.advanceTimersByTimeAsync(HOLD - 50);
    await h.sequencer.live(live(3));
    await jest.advanceTimersByTimeAsync(50);
    expect(h.fetches).toHaveLength(1);
  });

  it('places a message of a stream it has no cursor for by fetching at once, without after/epoch', async () => {
    const h = harness();
    await h.sequencer.live(live(8));
    expect(h.fetches.map((f) => f.request)).toEqual([{ stream: STREAM }]);
    await h.sequencer.live(live(9));
    expect(h.fetches).toHaveLength(1); // one fetch at a time
    h.fetches[0].reply(null, batchOf(6, [7]));
    await settle();
    expect(h.delivered).toEqual([7, 8, 9]);
    expect(h.gaps).toEqual([]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 9 });
  });

  it('on a live message of another epoch fetches from the old cursor and reports the epoch gap', async () => {
    const h = harness({ epoch: 'E1', offset: 10 });
    await h.sequencer.live(live(2, 'E2'));
    expect(h.fetches.map((f) => f.request)).toEqual([{ stream: STREAM, after: 10, epoch: 'E1' }]);
    h.fetches[0].reply(null, batchOf(0, [1, 2], 'E2'));
    await settle();
    expect(h.gaps).toEqual([{ stream: STREAM, from: 11, to: null, reason: 'epoch' }]);
    expect(h.delivered).toEqual([1, 2]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E2', offset: 2 });
  });

  it('fetches the next page at once while a reply makes progress but leaves a hole', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(6));
    await jest.advanceTimersByTimeAsync(HOLD);
    h.fetches[0].reply(null, batchOf(0, [1, 2]));
    await settle();
    expect(h.fetches.map((f) => f.request.after)).toEqual([0, 2]);
    h.fetches[1].reply(null, batchOf(2, [3, 4, 5, 6]));
    await settle();
    expect(h.delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.fetches).toHaveLength(2);
  });

  it('retries with backoff, not at once, when a reply makes no progress', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5); // full jitter: half of the 100 ms ceiling
    const h = harness({ epoch: 'E1', offset: 0 }, { retry: { baseMs: 100, maxMs: 100 } });
    await h.sequencer.live(live(3));
    await jest.advanceTimersByTimeAsync(HOLD);
    h.fetches[0].reply(null, batchOf(0, []));
    await jest.advanceTimersByTimeAsync(49);
    expect(h.fetches).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(h.fetches).toHaveLength(2);
  });

  it('reports an error reply with its code and retries with backoff while connected', async () => {
    const h = harness({ epoch: 'E1', offset: 0 }, { retry: { baseMs: 100, maxMs: 100 } });
    await h.sequencer.live(live(2));
    await jest.advanceTimersByTimeAsync(HOLD);
    const refused: ErrorReply = { error: { code: 'UNAVAILABLE', message: 'store down' } };
    h.fetches[0].reply(null, refused);
    await settle();
    expect(h.errors).toEqual([{ code: 'UNAVAILABLE', message: 'store down', stream: STREAM }]);
    await jest.advanceTimersByTimeAsync(100);
    expect(h.fetches).toHaveLength(2);
    h.fetches[1].reply(null, batchOf(0, [1]));
    await settle();
    expect(h.delivered).toEqual([1, 2]);
  });

  it('on a failed fetch while disconnected stays quiet and waits for the next sync', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(2));
    await jest.advanceTimersByTimeAsync(HOLD);
    h.state.connected = false;
    h.fetches[0].reply(new Error('socket has been disconnected'));
    await jest.advanceTimersByTimeAsync(20_000);
    expect(h.errors).toEqual([]);
    expect(h.fetches).toHaveLength(1);
    h.state.connected = true;
    await h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 0 });
    await jest.advanceTimersByTimeAsync(HOLD);
    expect(h.fetches).toHaveLength(2);
  });

  it('reports a transport failure while connected and retries', async () => {
    const h = harness({ epoch: 'E1', offset: 0 }, { retry: { baseMs: 50, maxMs: 50 } });
    await h.sequencer.live(live(2));
    await jest.advanceTimersByTimeAsync(HOLD);
    h.fetches[0].reply(new Error('operation has timed out'));
    await settle();
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ stream: STREAM, message: expect.stringContaining('timed out') });
    await jest.advanceTimersByTimeAsync(50);
    expect(h.fetches).toHaveLength(2);
  });

  it('arms no hold timer while disconnected', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    h.state.connected = false;
    await h.sequencer.live(live(3));
    await jest.advanceTimersByTimeAsync(HOLD * 4);
    expect(h.fetches).toHaveLength(0);
    expect(h.sequencer.heldOffsets()).toEqual([3]);
  });

  it('keeps the order of a fetch reply relative to live messages that arrive after it', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(3));
    await jest.advanceTimersByTimeAsync(HOLD);
    h.fetches[0].reply(null, batchOf(0, [1, 2]));
    const next = h.sequencer.live(live(4));
    await next;
    expect(h.delivered).toEqual([1, 2, 3, 4]);
  });

  it('cancelTimers stops a pending hold', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(3));
    h.sequencer.cancelTimers();
    await jest.advanceTimersByTimeAsync(HOLD * 4);
    expect(h.fetches).toHaveLength(0);
  });
});

describe('StreamSequencer: batches', () => {
  it('without a cursor starts at the batch position, silently', async () => {
    const h = harness();
    await h.sequencer.batch(batchOf(40, [41, 42]));
    expect(h.delivered).toEqual([41, 42]);
    expect(h.gaps).toEqual([]);
    expect(h.commits[0]).toEqual({ epoch: 'E1', offset: 40 });
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 42 });
  });

  it('persists the position of an empty batch', async () => {
    const h = harness();
    await h.sequencer.batch(batchOf(7, []));
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 7 });
    expect(h.commits).toEqual([{ epoch: 'E1', offset: 7 }]);
  });

  it('on another epoch reports an open-ended gap, restarts the cursor and forgets held messages of the old epoch', async () => {
    const h = harness({ epoch: 'E1', offset: 10 });
    await h.sequencer.live(live(12));
    expect(h.sequencer.heldOffsets()).toEqual([12]);
    await h.sequencer.batch(batchOf(0, [1, 2], 'E2'));
    expect(h.gaps).toEqual([{ stream: STREAM, from: 11, to: null, reason: 'epoch' }]);
    expect(h.delivered).toEqual([1, 2]);
    expect(h.sequencer.heldOffsets()).toEqual([]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E2', offset: 2 });
  });

  it('reports a trimmed range when the batch starts after the cursor', async () => {
    const h = harness({ epoch: 'E1', offset: 3 });
    await h.sequencer.batch(batchOf(9, [10, 11]));
    expect(h.gaps).toEqual([{ stream: STREAM, from: 4, to: 9, reason: 'trimmed' }]);
    expect(h.delivered).toEqual([10, 11]);
    expect(h.commits[0]).toEqual({ epoch: 'E1', offset: 9 });
  });

  it('still delivers held messages inside a trimmed range and reports only the true holes', async () => {
    const h = harness({ epoch: 'E1', offset: 3 });
    await h.sequencer.live(live(6));
    await h.sequencer.live(live(7));
    await h.sequencer.batch(batchOf(9, [10]));
    expect(h.delivered).toEqual([6, 7, 10]);
    expect(h.gaps).toEqual([
      { stream: STREAM, from: 4, to: 5, reason: 'trimmed' },
      { stream: STREAM, from: 8, to: 9, reason: 'trimmed' },
    ]);
  });

  it('moves silently over a range that precedes a room membership (joined)', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.batch({ ...batchOf(20, [21]), joined: true });
    expect(h.gaps).toEqual([]);
    expect(h.delivered).toEqual([21]);
  });

  it('drops the part of a batch that overlaps what was already handled', async () => {
    const h = harness({ epoch: 'E1', offset: 5 });
    await h.sequencer.batch(batchOf(2, [3, 4, 5, 6, 7]));
    expect(h.delivered).toEqual([6, 7]);
    expect(h.gaps).toEqual([]);
  });

  it('delivers held live messages once the batch reaches them, each exactly once', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.live(live(3));
    await h.sequencer.live(live(5));
    await h.sequencer.batch(batchOf(0, [1, 2, 3]));
    expect(h.delivered).toEqual([1, 2, 3]);
    expect(h.sequencer.heldOffsets()).toEqual([5]);
    await h.sequencer.live(live(4));
    expect(h.delivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('resolves only after the handlers of every message have finished', async () => {
    const releases: Array<() => void> = [];
    const finished: number[] = [];
    const h = harness({ epoch: 'E1', offset: 0 }, {
      deliver: (_s, m) => new Promise<void>((resolve) => releases.push(() => { finished.push(m.offset); resolve(); })),
    });
    let done = false;
    const handled = h.sequencer.batch(batchOf(0, [1, 2])).then(() => { done = true; });
    await settle();
    expect(releases).toHaveLength(1); // second message waits for the first
    releases[0]();
    await settle();
    expect(done).toBe(false);
    releases[1]();
    await handled;
    expect(finished).toEqual([1, 2]);
    expect(done).toBe(true);
  });

  it('counts messages delivered from replay batches only', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.batch(batchOf(0, [1, 2]));
    await h.sequencer.live(live(3));
    await h.sequencer.live(live(5));
    await jest.advanceTimersByTimeAsync(HOLD);
    h.fetches[0].reply(null, batchOf(3, [4]));
    await settle();
    await h.sequencer.batch(batchOf(0, [1, 2, 3, 4, 5, 6]));
    expect(h.delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.sequencer.takeReplayed()).toBe(3);
    expect(h.sequencer.takeReplayed()).toBe(0);
  });
});

describe('StreamSequencer: synced', () => {
  it('without a cursor adopts the head silently and persists it', async () => {
    const h = harness();
    await h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 12 });
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 12 });
    expect(h.commits).toEqual([{ epoch: 'E1', offset: 12 }]);
    expect(h.gaps).toEqual([]);
  });

  it('on another epoch reports an epoch gap and adopts the head', async () => {
    const h = harness({ epoch: 'E1', offset: 4 });
    await h.sequencer.synced({ stream: STREAM, epoch: 'E2', head: 3 });
    expect(h.gaps).toEqual([{ stream: STREAM, from: 5, to: null, reason: 'epoch' }]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E2', offset: 3 });
  });

  it('behind the head reports the rest as trimmed', async () => {
    const h = harness({ epoch: 'E1', offset: 4 });
    await h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 9 });
    expect(h.gaps).toEqual([{ stream: STREAM, from: 5, to: 9, reason: 'trimmed' }]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 9 });
  });

  it('at or ahead of the head changes nothing', async () => {
    const h = harness({ epoch: 'E1', offset: 9 });
    await h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 9 });
    await h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 7 });
    expect(h.gaps).toEqual([]);
    expect(h.commits).toEqual([]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 9 });
  });

  it('runs after the work queued before it', async () => {
    let release!: () => void;
    const h = harness({ epoch: 'E1', offset: 0 }, {
      deliver: (_s, m) => (m.offset === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
    });
    const replay = h.sequencer.batch(batchOf(0, [1, 2]));
    const synced = h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 2 });
    await settle();
    release();
    await Promise.all([replay, synced]);
    expect(h.gaps).toEqual([]); // the head was checked only once 1 and 2 were handled
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 2 });
  });

  it('fetches a hole that survives the sync', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    h.state.connected = false;
    await h.sequencer.live(live(5));
    h.state.connected = true;
    await h.sequencer.synced({ stream: STREAM, epoch: 'E1', head: 2 });
    expect(h.gaps).toEqual([{ stream: STREAM, from: 1, to: 2, reason: 'trimmed' }]);
    await jest.advanceTimersByTimeAsync(HOLD);
    expect(h.fetches.map((f) => f.request)).toEqual([{ stream: STREAM, after: 2, epoch: 'E1' }]);
  });

  it('checkHole arms the hold timer only when messages are held', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.checkHole();
    await jest.advanceTimersByTimeAsync(HOLD);
    expect(h.fetches).toHaveLength(0);
    h.state.connected = false;
    await h.sequencer.live(live(4));
    h.state.connected = true;
    await h.sequencer.checkHole();
    await jest.advanceTimersByTimeAsync(HOLD);
    expect(h.fetches).toHaveLength(1);
  });
});

describe('StreamSequencer: failures and persistence', () => {
  it('reports a failing delivery, counts the message as handled and goes on', async () => {
    const h = harness({ epoch: 'E1', offset: 0 }, {
      deliver: async (_s, m) => {
        if (m.offset === 1) throw new Error('boom');
      },
    });
    await h.sequencer.live(live(1));
    await h.sequencer.live(live(2));
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ stream: STREAM, offset: 1 });
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 2 });
  });

  it('reports a failing commit and goes on', async () => {
    const h = harness({ epoch: 'E1', offset: 0 }, {
      commit: async () => {
        throw new Error('quota exceeded');
      },
    });
    await h.sequencer.live(live(1));
    await h.sequencer.live(live(2));
    expect(h.errors.map((e) => e.offset)).toEqual([1, 2]);
    expect(h.sequencer.position()).toEqual({ epoch: 'E1', offset: 2 });
  });

  it('does not start the next delivery before the previous cursor is persisted', async () => {
    const log: string[] = [];
    let releaseWrite!: () => void;
    const h = harness({ epoch: 'E1', offset: 0 }, {
      deliver: async (_s, m) => {
        log.push(`deliver ${m.offset}`);
      },
      commit: (_s, c) => {
        log.push(`commit ${c.offset}`);
        return c.offset === 1 ? new Promise<void>((resolve) => (releaseWrite = resolve)) : Promise.resolve();
      },
    });
    const first = h.sequencer.live(live(1));
    const second = h.sequencer.live(live(2));
    await settle();
    expect(log).toEqual(['deliver 1', 'commit 1']);
    releaseWrite();
    await Promise.all([first, second]);
    expect(log).toEqual(['deliver 1', 'commit 1', 'deliver 2', 'commit 2']);
  });

  it('runs one message at a time even while handlers are slow', async () => {
    let running = 0;
    let maxRunning = 0;
    const h = harness({ epoch: 'E1', offset: 0 }, {
      deliver: async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
      },
    });
    const all = Promise.all(range(1, 5).map((o) => h.sequencer.live(live(o))));
    await jest.advanceTimersByTimeAsync(100);
    await all;
    expect(maxRunning).toBe(1);
  });

  it('delivers every offset exactly once and in order whatever the arrival order and duplicates', async () => {
    for (let seed = 1; seed <= 25; seed += 1) {
      let state = seed;
      const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
      const total = 30;
      const arrivals = [...range(1, total), ...range(1, total).filter(() => random() < 0.3)]
        .filter(() => random() < 0.85) // some never arrive live: fetched
        .sort(() => random() - 0.5);
      const h = harness({ epoch: 'E1', offset: 0 });
      // A server: answers fetches with pages of at most 4 messages.
      const serve = async () => {
        while (h.fetches.length > 0) {
          const { request, reply } = h.fetches.shift()!;
          const after = request.after ?? 0;
          reply(null, batchOf(after, range(after + 1, Math.min(total, after + 4))));
          await settle();
        }
      };
      for (const offset of arrivals) {
        await h.sequencer.live(live(offset));
        if (random() < 0.3) await jest.advanceTimersByTimeAsync(HOLD);
        await serve();
      }
      await h.sequencer.live(live(total + 1));
      for (let i = 0; i < 20 && h.delivered.length < total + 1; i += 1) {
        await jest.advanceTimersByTimeAsync(HOLD);
        await serve();
      }
      expect(h.delivered).toEqual(range(1, total + 1));
      expect(h.gaps).toEqual([]);
    }
  });
});

describe('StreamSequencer: announced heads (rs:head)', () => {
  it('fetches up to an announced head and delivers what it lacks, reporting no gap', async () => {
    const h = harness({ epoch: 'E1', offset: 1 });
    await h.sequencer.headAnnounced({ stream: STREAM, epoch: 'E1', head: 3 });
    expect(h.fetches.map((f) => f.request)).toEqual([{ stream: STREAM, after: 1, epoch: 'E1' }]);
    h.fetches[0].reply(null, batchOf(1, [2, 3]));
    await settle();
    expect(h.delivered).toEqual([2, 3]);
    expect(h.gaps).toEqual([]);
    expect(h.fetches).toHaveLength(1); // the head is reached: nothing more to fetch
  });

  it('ignores a head the cursor has already reached', async () => {
    const h = harness({ epoch: 'E1', offset: 4 });
    await h.sequencer.headAnnounced({ stream: STREAM, epoch: 'E1', head: 4 });
    expect(h.fetches).toEqual([]);
  });

  it('keeps fetching page after page until the head is reached', async () => {
    const h = harness({ epoch: 'E1', offset: 0 });
    await h.sequencer.headAnnounced({ stream: STREAM, epoch: 'E1', head: 4 });
    h.fetches[0].reply(null, batchOf(0, [1, 2]));
    await settle();
    expect(h.fetches.map((f) => f.request.after)).toEqual([0, 2]);
    h.fetches[1].reply(null, batchOf(2, [3, 4]));
    await settle();
    expect(h.delivered).toEqual([1, 2, 3, 4]);
    expect(h.fetches).toHaveLength(2);
  });

  it('reports a gap only for what the server no longer has', async () => {
    const h = harness({ epoch: 'E1', offset: 1 });
    await h.sequencer.headAnnounced({ stream: STREAM, epoch: 'E1', head: 6 });
    h.fetches[0].reply(null, batchOf(4, [5, 6])); // 2-4 were trimmed
    await settle();
    expect(h.gaps).toEqual([{ stream: STREAM, from: 2, to: 4, reason: 'trimmed' }]);
    expect(h.delivered).toEqual([5, 6]);
  });

  it('stops chasing a head when a reply makes no progress', async () => {
    const h = harness({ epoch: 'E1', offset: 2 });
    await h.sequencer.headAnnounced({ stream: STREAM, epoch: 'E1', head: 9 });
    h.fetches[0].reply(null, batchOf(2, []));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(h.fetches).toHaveLength(1);
    expect(h.gaps).toEqual([]);
  });
});
