import type { Cursor } from '../protocol.js';
import type { StorageLike } from './storage-like.interface.js';

function isCursor(value: unknown): value is Cursor {
  const cursor = value as Cursor;
  return (
    typeof cursor === 'object' && cursor !== null &&
    typeof cursor.epoch === 'string' &&
    Number.isSafeInteger(cursor.offset) && cursor.offset >= 0
  );
}

/**
 * The in-memory cursors of every stream, mirrored to storage.
 *
 * The in-memory copy is what the handshake sends; the storage copy is what survives a reload. Writes
 * are serialized and each one snapshots the cursors when it starts, so a slow older write can never
 * land after (and overwrite) a newer one, and a burst of updates collapses into few writes.
 */
export class CursorStore {
  private cursors: Record<string, Cursor> = {};
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly storage: StorageLike,
    private readonly key: string,
    /** Told about unreadable stored state; loading then goes on with what could be read. */
    private readonly onCorrupt: (message: string, cause?: unknown) => void,
  ) {}

  /** Reads the stored cursors. A storage that fails or holds garbage yields empty cursors, never a throw. */
  async load(): Promise<void> {
    let raw: string | null | undefined;
    try {
      raw = await this.storage.getItem(this.key);
    } catch (cause) {
      this.onCorrupt(`cannot read ${this.key}`, cause);
      return;
    }
    if (raw === null || raw === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (cause) {
      this.onCorrupt(`${this.key} holds invalid JSON; starting without cursors`, cause);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.onCorrupt(`${this.key} does not hold an object; starting without cursors`);
      return;
    }
    const entries = Object.entries(parsed);
    const valid = entries.filter(([, cursor]) => isCursor(cursor)) as [string, Cursor][];
    if (valid.length < entries.length) this.onCorrupt(`${this.key}: ignored ${entries.length - valid.length} malformed cursor(s)`);
    this.cursors = Object.fromEntries(valid.map(([stream, { epoch, offset }]) => [stream, { epoch, offset }]));
  }

  get(stream: string): Cursor | undefined {
    const cursor = this.cursors[stream];
    return cursor && { ...cursor };
  }

  /** A copy of every cursor. */
  snapshot(): Record<string, Cursor> {
    return Object.fromEntries(Object.entries(this.cursors).map(([stream, cursor]) => [stream, { ...cursor }]));
  }

  /** Updates one cursor in memory and resolves once a write including it has reached storage. */
  set(stream: string, cursor: Cursor): Promise<void> {
    this.cursors[stream] = { epoch: cursor.epoch, offset: cursor.offset };
    return this.persist();
  }

  /** Resolves when every write started so far has finished. */
  async flushed(): Promise<void> {
    await this.tail;
  }

  private persist(): Promise<void> {
    // A write that has not started yet will snapshot this change too: share it.
    if (this.queued) return this.queued;
    const write = this.tail.then(() => {
      this.queued = undefined;
      return this.storage.setItem(this.key, JSON.stringify(this.cursors));
    });
    this.queued = write;
    this.tail = write.catch(() => undefined);
    return write;
  }
}
