/**
 * Keys the SDK keeps under one base key. Each record is one JSON value so that a write replaces it
 * atomically, even on storages without transactions.
 */
export interface StorageKeys {
  /** `{ [stream]: { epoch, offset } }`: the last handled position of each stream. */
  cursors: string;
  /** Reserved for the persistent outbox of reliable client → server messages (`rs:send`). */
  outbox: string;
}

export function storageKeys(base: string): StorageKeys {
  return { cursors: `${base}:cursors`, outbox: `${base}:outbox` };
}

/** Default base key: one per server URL (namespace included), so two apps on one origin do not collide. */
export function defaultStorageKey(url: string): string {
  return `reliable-socket:${url}`;
}
