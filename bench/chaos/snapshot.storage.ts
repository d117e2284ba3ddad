import { MemoryStorage, type StorageLike } from '@reliable-socket/client';

/**
 * A device's persistent storage (synchronous, like `localStorage`) that can be copied as it stands at one
 * instant: what a page killed at that instant leaves behind. Writes the dying client makes afterwards go to
 * the old copy only, so a reload sees exactly what had been persisted when it happened.
 */
export class SnapshotStorage implements StorageLike {
  private readonly items = new MemoryStorage();
  private readonly keys = new Set<string>();

  getItem(key: string): string | null {
    return this.items.getItem(key);
  }

  setItem(key: string, value: string): void {
    this.keys.add(key);
    this.items.setItem(key, value);
  }

  removeItem(key: string): void {
    this.keys.delete(key);
    this.items.removeItem(key);
  }

  /** A copy of everything stored now. */
  snapshot(): SnapshotStorage {
    const copy = new SnapshotStorage();
    for (const key of this.keys) copy.setItem(key, this.items.getItem(key) ?? '');
    return copy;
  }
}
