import type { StorageLike } from './storage-like.interface.js';

/**
 * One JSON value under one storage key, with serialized writes. Each write serializes the state when
 * it starts (not when it was requested), so a slow older write can never land after, and overwrite, a
 * newer one; and every change requested while a write is under way shares the next single write, so a
 * burst of updates costs few writes. Shared by the cursors and the outbox.
 *
 * The stored text is `JSON.stringify(state)` unless `stringify` says otherwise: the outbox builds it
 * from the JSON of each message, made once when the message was added, instead of serializing every
 * queued message again on every write.
 *
 * @example
 * const record = new JsonRecord(storage, 'app:cursors', () => cursors);
 * const stored = await record.read(); // undefined when absent
 * cursors.a = 1;
 * await record.save();                // resolves once a write including the change is stored
 */
export class JsonRecord<T = unknown> {
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  /** The text to store, made when a write starts. */
  private readonly text: () => string;

  constructor(
    private readonly storage: StorageLike,
    readonly key: string,
    /** The current state; called when a write starts. */
    state: () => T,
    /** The stored text of a state; it must be JSON, as {@link read} parses it. */
    stringify: (state: T) => string = JSON.stringify,
  ) {
    this.text = () => stringify(state());
  }

  /**
   * The parsed stored value, `undefined` when there is none. Throws when the storage cannot be read
   * or holds something that is not JSON; the message says which.
   */
  async read(): Promise<unknown> {
    let raw: string | null | undefined;
    try {
      raw = await this.storage.getItem(this.key);
    } catch (cause) {
      throw new Error(`cannot read ${this.key}`, { cause });
    }
    if (raw === null || raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch (cause) {
      throw new Error(`${this.key} holds invalid JSON`, { cause });
    }
  }

  /** Writes the current state; resolves once a write that includes every change made so far is stored. */
  save(): Promise<void> {
    // A write that has not started yet will serialize this change too: share it.
    if (this.queued) return this.queued;
    const write = this.tail.then(() => {
      this.queued = undefined;
      return this.storage.setItem(this.key, this.text());
    });
    this.queued = write;
    this.tail = write.catch(() => undefined);
    return write;
  }

  /** Resolves when every write started so far has finished (successfully or not). */
  async flushed(): Promise<void> {
    await this.tail;
  }
}
