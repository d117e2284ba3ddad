/** Returned by `flush` in an item's place to fail that item alone. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export interface TickBatcherOptions {
  /** Items per `flush` call at most. @default 256 */
  maxBatch?: number;
  /**
   * Group commit: while a group's flush is under way, its new items wait and go together in the next
   * one, started when it settles. Under load the batches grow by themselves (fewer, larger calls);
   * when idle nothing waits longer than one turn. @default false
   */
  oneFlushPerGroup?: boolean;
}

/**
 * Gathers the calls made during one event-loop turn, per group, and settles them with one call of
 * `flush` per group (in chunks of at most `maxBatch`), each caller receiving its own result. It turns N
 * concurrent store operations on one Redis slot into one script call: one round trip and one script
 * run instead of N, for the price of at most one turn of latency.
 */
export class TickBatcher<Item, Result> {
  private pending = new Map<string, Array<Waiting<Item, Result>>>();
  private scheduled = false;
  /** Groups with a flush under way (with `oneFlushPerGroup`). */
  private readonly flushing = new Set<string>();
  private readonly maxBatch: number;
  private readonly oneFlushPerGroup: boolean;

  /**
   * @param flush performs one group's operations; resolves to one result per item, in order (an
   *   {@link ItemFailure} fails that item only). A rejection fails every item of that chunk.
   */
  constructor(
    private readonly flush: (group: string, items: Item[]) => Promise<Array<Result | ItemFailure>>,
    options: TickBatcherOptions | number = {},
  ) {
    const { maxBatch = 256, oneFlushPerGroup = false } = typeof options === 'number' ? { maxBatch: options } : options;
    this.maxBatch = maxBatch;
    this.oneFlushPerGroup = oneFlushPerGroup;
  }

  add(group: string, item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(group);
      if (waiting) waiting.push({ item, resolve, reject });
      else this.pending.set(group, [{ item, resolve, reject }]);
      if (!this.flushing.has(group)) this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushAll());
  }

  private flushAll(): void {
    this.scheduled = false;
    for (const [group, waiting] of this.pending) {
      if (this.flushing.has(group)) continue; // goes when the flush under way settles
      this.pending.delete(group);
      if (this.oneFlushPerGroup) this.flushing.add(group);
      const chunks: Array<Promise<void>> = [];
      for (let start = 0; start < waiting.length; start += this.maxBatch) {
        chunks.push(this.settle(group, waiting.slice(start, start + this.maxBatch)));
      }
      if (this.oneFlushPerGroup) void Promise.all(chunks).then(() => this.flushed(group));
    }
  }

  private flushed(group: string): void {
    this.flushing.delete(group);
    if (this.pending.has(group)) this.schedule();
  }

  private async settle(group: string, chunk: Array<Waiting<Item, Result>>): Promise<void> {
    try {
      const results = await this.flush(group, chunk.map((waiting) => waiting.item));
      chunk.forEach((waiting, index) => {
        const result = results[index];
        if (result instanceof ItemFailure) waiting.reject(result.error);
        else waiting.resolve(result);
      });
    } catch (error) {
      chunk.forEach((waiting) => waiting.reject(error));
    }
  }
}
