/** Returned by `flush` in an item's place to fail that item alone. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
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

  /**
   * @param flush performs one group's operations; resolves to one result per item, in order (an
   *   {@link ItemFailure} fails that item only). A rejection fails every item of that chunk.
   */
  constructor(
    private readonly flush: (group: string, items: Item[]) => Promise<Array<Result | ItemFailure>>,
    private readonly maxBatch = 256,
  ) {}

  add(group: string, item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(group);
      if (waiting) waiting.push({ item, resolve, reject });
      else this.pending.set(group, [{ item, resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushAll());
      }
    });
  }

  private flushAll(): void {
    this.scheduled = false;
    const groups = this.pending;
    this.pending = new Map();
    for (const [group, waiting] of groups) {
      for (let start = 0; start < waiting.length; start += this.maxBatch) {
        void this.settle(group, waiting.slice(start, start + this.maxBatch));
      }
    }
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
