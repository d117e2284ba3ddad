/**
 * Keys the SDK keeps under one base key. Each record is one JSON value so that a write replaces it
 * atomically, even on storages without transactions.
 */
export interface StorageKeys {
  /** `{ [stream]: { epoch, offset } }`: the last handled position of each stream. */
  cursors: string;
  /**
   * `{ sid, seqs, messages }`: the reliable client → server messages awaiting their ack, in send order,
   * and the last `seq` used per event under `sid`. One record, so a message and its `seq` are stored together.
   */
  outbox: string;
  /** The sender id (`sid`) of this storage's outbox: a random id created once, as a JSON string. */
  sid: string;
}

export function storageKeys(base: string): StorageKeys {
  return { cursors: `${base}:cursors`, outbox: `${base}:outbox`, sid: `${base}:sid` };
}

/** Default base key: one per server URL (namespace included), so two apps on one origin do not collide. */
export function defaultStorageKey(url: string): string {
  return `reliable-socket:${url}`;
}
