import { describe, expect, it } from '@jest/globals';
import { AfterWriteQueue } from './after-write.queue.js';

/** A record whose writes the test finishes by hand; like `JsonRecord`, a write not started yet is shared. */
class ManualRecord {
  readonly writes: Array<{ finish(): void; fail(error: Error): void }> = [];
  private queued: Promise<void> | undefined;

  save(): Promise<void> {
    this.queued ??= new Promise<void>((resolve, reject) => {
      this.writes.push({ finish: resolve, fail: reject });
    });
    return this.queued;
  }

  /** The queued write starts: later saves need a new one. */
  start(): void {
    this.queued = undefined;
  }
}

const settle = async () => {
  for (let i = 0; i < 3; i += 1) await Promise.resolve();
};

function harness() {
  const record = new ManualRecord();
  const released: string[][] = [];
  const errors: unknown[] = [];
  const queue = new AfterWriteQueue<string>(() => record.save(), (items) => released.push(items), (cause) => errors.push(cause));
  return { record, released, errors, queue };
}

describe('AfterWriteQueue', () => {
  it('releases the items that share a write together, in order, once it has finished', async () => {
    const { record, released, queue } = harness();
    queue.add('a');
    queue.add('b');
    await settle();
    expect(released).toEqual([]);
    record.start();
    queue.add('c'); // after the first write started: waits for the next
    record.writes[0].finish();
    await settle();
    expect(released).toEqual([['a', 'b']]);
    record.writes[1].finish();
    await settle();
    expect(released).toEqual([['a', 'b'], ['c']]);
    expect(record.writes).toHaveLength(2);
  });

  it('reports a failed write once and releases its items all the same', async () => {
    const { record, released, errors, queue } = harness();
    queue.add('a');
    queue.add('b');
    const cause = new Error('QuotaExceededError');
    record.writes[0].fail(cause);
    await settle();
    expect(errors).toEqual([cause]);
    expect(released).toEqual([['a', 'b']]);
  });
});
