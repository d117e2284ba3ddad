import { ItemFailure, TickBatcher } from '../common/tick.batcher.js';
import type { AppendInput, AppendResult, StreamKey, StreamStore } from '../store/stream.store.js';

export type StoredBatch = Array<{ input: AppendInput; result: AppendResult }>;

const streamId = (key: StreamKey): string => `${key.namespace}\u0000${key.stream}`;

/**
 * Coalesces the emits to one stream made during one event-loop turn into a single atomic store call
 * (one Redis round trip) and hands the stored batch to `onStored` for one live fan-out. A lone emit
 * costs the same as before; a burst costs one script and one publish instead of one per message.
 * Each caller still gets its own result, resolved once its message is durable.
 */
export class AppendBatcher {
  private readonly batcher: TickBatcher<{ key: StreamKey; input: AppendInput }, AppendResult>;

  constructor(
    private readonly store: StreamStore,
    private readonly onStored: (key: StreamKey, batch: StoredBatch) => void,
  ) {
    this.batcher = new TickBatcher((_, items) => this.persist(items[0].key, items.map((item) => item.input)));
  }

  append(key: StreamKey, input: AppendInput): Promise<AppendResult> {
    return this.batcher.add(streamId(key), { key, input });
  }

  private async persist(key: StreamKey, inputs: AppendInput[]): Promise<Array<AppendResult | ItemFailure>> {
    let results: AppendResult[];
    try {
      results = await this.store.appendBatch(key, inputs);
    } catch (error) {
      // One message whose data cannot be serialised must not fail the others stored with it: each is
      // stored on its own, and only the bad one fails.
      if (!(error instanceof TypeError) || inputs.length === 1) throw error;
      const alone = await Promise.all(inputs.map((input) => this.persist(key, [input]).catch((failure: unknown) => [new ItemFailure(failure)])));
      return alone.map(([result]) => result);
    }
    this.onStored(key, inputs.map((input, index) => ({ input, result: results[index] })));
    return results;
  }
}
