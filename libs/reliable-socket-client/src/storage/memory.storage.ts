import type { StorageLike } from './storage-like.interface.js';

/**
 * Storage that lives as long as the process: the default where no `localStorage` exists (Node).
 * Sharing one instance between clients lets a new client resume where an old one stopped.
 *
 * @example
 * const storage = new MemoryStorage();
 * const client = new ReliableClient(url, { storage });
 */
export class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>();

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/**
 * `globalThis.localStorage` when it is usable, else a fresh {@link MemoryStorage}. Merely reading
 * `localStorage` throws in some browsers (blocked third-party storage, sandboxed frames), hence the guard.
 */
export function defaultStorage(): StorageLike {
  try {
    const local = (globalThis as { localStorage?: StorageLike }).localStorage;
    if (local && typeof local.getItem === 'function' && typeof local.setItem === 'function') return local;
  } catch {
    // fall through to memory
  }
  return new MemoryStorage();
}
