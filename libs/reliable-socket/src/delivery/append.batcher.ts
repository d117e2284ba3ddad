import type { AppendInput, AppendResult, StreamKey, StreamStore } from '../store/stream.store.js';

interface PendingAppend {
  input: AppendInput;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** Most messages per store call, which bounds how long one Lua script runs. */
const MAX_BATCH = 256;

export type StoredBatch = Array<{ input: AppendInput; result: AppendResult }>;

/**
 * Coalesces the emits to one stream made during one event-loop turn into a single atomic store call
 * (one Redis round trip) and hands the stored batch to `onStored` for one live fan-out. A lone emit
 * costs the same as before; a burst costs one script and one publish instead of one per message.
 * Each caller still gets its own result, resolved once its message is durable.
 */
export class AppendBatcher {
  private pending = new Map<string, { key: StreamKey; appends: PendingAppend[] }>();
  private scheduled = false;

  constructor(
    private readonly store: StreamStore,
    private readonly onStored: (key: StreamKey, batch: StoredBatch) => void,
  ) {}

  append(key: StreamKey, input: AppendInput): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      const id = `${key.namespace}\u0000${key.stream}`;
      const queue = this.pending.get(id) ?? { key, appends: [] };
      queue.appends.push({ input, resolve, reject });
      this.pending.set(id, queue);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.pending.values()];
    this.pending = new Map();
    for (const { key, appends } of queues) {
      for (let start = 0; start < appends.length; start += MAX_BATCH) {
        void this.persist(key, appends.slice(start, start + MAX_BATCH));
      }
    }
  }

  private async persist(key: StreamKey, appends: PendingAppend[]): Promise<void> {
    let results: AppendResult[];
    try {
      results = await this.store.appendBatch(key, appends.map((pending) => pending.input));
    } catch (error) {
      // One message whose data cannot be serialised must not fail the others stored with it.
      if (error instanceof TypeError && appends.length > 1) {
        await Promise.all(appends.map((pending) => this.persist(key, [pending])));
      } else {
        appends.forEach((pending) => pending.reject(error));
      }
      return;
    }
    this.onStored(key, appends.map((pending, index) => ({ input: pending.input, result: results[index] })));
    appends.forEach((pending, index) => pending.resolve(results[index]));
  }
}
