import { isCursor, type Cursor } from '../protocol.js';
import { JsonRecord } from './json.record.js';
import type { StorageLike } from './storage-like.interface.js';

/**
 * The in-memory cursors of every stream, mirrored to storage.
 *
 * The in-memory copy is what the handshake sends; the storage copy is what survives a reload. Writes
 * go through a {@link JsonRecord}: serialized and coalesced, never an older snapshot over a newer one.
 */
export class CursorStore {
  private cursors: Record<string, Cursor> = {};
  private readonly record: JsonRecord;

  constructor(
    storage: StorageLike,
    private readonly key: string,
    /** Told about unreadable stored state; loading then goes on with what could be read. */
    private readonly onCorrupt: (message: string, cause?: unknown) => void,
  ) {
    this.record = new JsonRecord(storage, key, () => this.cursors);
  }

  /** Reads the stored cursors. A storage that fails or holds garbage yields empty cursors, never a throw. */
  async load(): Promise<void> {
    let parsed: unknown;
    try {
      parsed = await this.record.read();
    } catch (error) {
      this.onCorrupt(`${(error as Error).message}; starting without cursors`, (error as Error).cause);
      return;
    }
    if (parsed === undefined) return;
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
    return this.record.save();
  }

  /** Resolves when every write started so far has finished. */
  flushed(): Promise<void> {
    return this.record.flushed();
  }
}
