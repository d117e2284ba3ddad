/**
 * Holds items until their change is stored: each item is released once the write that includes the
 * changes made before it was added has finished, in the order added. Items added before one write
 * starts share it, and are released together by one callback of that write: the outbox holds every
 * message until it is stored and every reply until its removal is, which with a promise chain per item
 * would cost two chains per `send()`.
 *
 * @example
 * const stored = new AfterWriteQueue(() => record.save(), (messages) => messages.forEach(emit), report);
 * state.add(message);
 * stored.add(message); // emitted once a write including it has finished
 */
export class AfterWriteQueue<T> {
  /** The write the current batch waits for; a different promise from `save()` means a new write. */
  private write: Promise<void> | undefined;
  private batch: T[] = [];

  constructor(
    /** Asks for a write of the current state: `JsonRecord.save()`, which hands out one promise per write. */
    private readonly save: () => Promise<void>,
    /** Receives the items of a write once it has finished, successfully or not. */
    private readonly release: (items: T[]) => void,
    /** Told when a write fails; its items are released all the same. */
    private readonly onError: (cause: unknown) => void,
  ) {}

  /** Asks for a write and holds `item` until a write including every change made so far has finished. */
  add(item: T): void {
    const write = this.save();
    if (write === this.write) {
      this.batch.push(item);
      return;
    }
    const batch = [item];
    this.write = write;
    this.batch = batch;
    write.then(
      () => this.release(batch),
      (cause: unknown) => {
        this.onError(cause);
        this.release(batch);
      },
    );
  }
}
