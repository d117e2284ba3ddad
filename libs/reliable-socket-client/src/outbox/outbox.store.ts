import { JsonRecord } from '../storage/json.record.js';
import type { StorageLike } from '../storage/storage-like.interface.js';
import { isId, isOutboxMessage, isSeq, messageJson, outboxJson, type OutboxRecord, type OutboxState, type StoredMessage } from './outbox.record.js';
import { randomId } from './random.id.js';

/** A reliable message still awaiting its ack, as `client.pending()` reports it. */
export interface PendingMessage {
  id: string;
  event: string;
  data: unknown;
  /** 1, 2, 3 … per (sender id, event). */
  seq: number;
  /** When `send()` was called, in ms since the epoch. */
  createdAt: number;
}

/** A stored message. It keeps the `sid` it was numbered under: a resend must carry the same (sid, seq). */
export interface OutboxMessage extends PendingMessage {
  sid: string;
}

const copy = ({ id, sid, event, data, seq, createdAt }: OutboxMessage): OutboxMessage => ({ id, sid, event, data, seq, createdAt });

/**
 * The persistent outbox of reliable client → server messages: every message not yet acked, in send
 * order, with the per-event `seq` counters of this storage's sender id (`sid`).
 *
 * Messages and counters share one record so that a message is never stored without the counter that
 * numbered it: a reload can never hand out the same `seq` twice under one `sid`. When the record is
 * unreadable the counters are lost, so a fresh `sid` is drawn rather than restarting at seq 1 under the
 * old one (the server would take those for messages it already ran). Two tabs sharing one storage key
 * would overwrite each other's outbox: give each its own `storageKey`.
 *
 * Changes apply in memory at once (`add`, `remove`); `save()` then persists them through a serialized,
 * coalescing {@link JsonRecord}. Each message keeps the JSON text it is stored as, made once when it is
 * added, so a write joins texts instead of serializing every queued message again (see `outboxJson`).
 */
export class OutboxStore {
  private currentSid = '';
  private readonly seqs = new Map<string, number>();
  /** Insertion order is send order. */
  private readonly messages = new Map<string, StoredMessage>();
  private readonly record: JsonRecord<OutboxState>;
  private readonly sidRecord: JsonRecord;

  constructor(
    storage: StorageLike,
    keys: { outbox: string; sid: string },
    /** Told about unreadable stored state; loading goes on with what could be read. */
    private readonly onCorrupt: (message: string, cause?: unknown) => void,
    private readonly newId: () => string = randomId,
    private readonly now: () => number = Date.now,
  ) {
    const state = (): OutboxState => ({ sid: this.currentSid, seqs: this.seqs, messages: this.messages.values() });
    this.record = new JsonRecord(storage, keys.outbox, state, outboxJson);
    this.sidRecord = new JsonRecord(storage, keys.sid, () => this.currentSid);
  }

  /** The sender id new messages are numbered under. Set by {@link load}. */
  get sid(): string {
    return this.currentSid;
  }

  /**
   * Reads the sender id and the outbox. Never throws: what cannot be read is reported and replaced.
   * The counters are only trusted together with the sid stored beside them in the outbox record.
   */
  async load(): Promise<void> {
    const storedSid = await this.readSid();
    const { record, countersLost } = await this.readOutbox();
    if (countersLost) this.currentSid = this.newId();
    else this.currentSid = record?.sid ?? storedSid ?? this.newId();
    if (this.currentSid !== storedSid) await this.sidRecord.save().catch((cause: unknown) => this.onCorrupt(`cannot write ${this.sidRecord.key}`, cause));
    if (!record) return;
    if (!countersLost) for (const [event, seq] of Object.entries(record.seqs)) this.seqs.set(event, seq);
    for (const message of record.messages) this.keep(copy(message), JSON.stringify(message.data));
  }

  /**
   * Queues a message in memory with a fresh id and the next seq of its event; {@link save} persists it.
   * `dataJson` is the data's JSON text: it is stored as it is, and the message carries its parsed copy.
   */
  add(event: string, dataJson: string): OutboxMessage {
    const seq = (this.seqs.get(event) ?? 0) + 1;
    this.seqs.set(event, seq);
    const message: OutboxMessage = { id: this.newId(), sid: this.currentSid, event, data: JSON.parse(dataJson), seq, createdAt: this.now() };
    this.keep(message, dataJson);
    return copy(message);
  }

  /** Drops a message in memory; false if it is not queued. {@link save} persists the removal. */
  remove(id: string): boolean {
    return this.messages.delete(id);
  }

  has(id: string): boolean {
    return this.messages.has(id);
  }

  /** Characters of a queued message's stored JSON text (0 if it is not queued): its weight on the wire. */
  sizeOf(id: string): number {
    return this.messages.get(id)?.json.length ?? 0;
  }

  /** Copies of the queued messages, in send order. */
  list(): OutboxMessage[] {
    return Array.from(this.messages.values(), ({ message }) => copy(message));
  }

  /** The queued messages as `client.pending()` hands them out: deep copies, the caller cannot change what is resent. */
  pending(): PendingMessage[] {
    return Array.from(this.messages.values(), ({ message: { id, event, seq, createdAt }, json }) => ({
      id, event, data: JSON.parse(json).data as unknown, seq, createdAt,
    }));
  }

  get size(): number {
    return this.messages.size;
  }

  /** Persists the outbox as it is when the write starts; resolves once that write is stored. */
  save(): Promise<void> {
    return this.record.save();
  }

  /** Resolves when every write started so far has finished. */
  async flushed(): Promise<void> {
    await Promise.all([this.record.flushed(), this.sidRecord.flushed()]);
  }

  private keep(message: OutboxMessage, dataJson: string): void {
    this.messages.set(message.id, { message, json: messageJson(message, dataJson) });
  }

  private async readSid(): Promise<string | undefined> {
    try {
      const sid = await this.sidRecord.read();
      if (sid === undefined || isId(sid)) return sid;
      this.onCorrupt(`${this.sidRecord.key} does not hold a sender id; drawing a new one`);
    } catch (error) {
      this.onCorrupt(`${(error as Error).message}; drawing a new sender id`, (error as Error).cause);
    }
    return undefined;
  }

  /**
   * The usable part of the stored record. `countersLost` when the seq counters cannot be trusted: the
   * sid is then replaced, since restarting at seq 1 under the old one would repeat seqs the server has seen.
   */
  private async readOutbox(): Promise<{ record?: OutboxRecord; countersLost: boolean }> {
    let parsed: unknown;
    try {
      parsed = await this.record.read();
    } catch (error) {
      this.onCorrupt(`${(error as Error).message}; starting with an empty outbox under a new sender id`, (error as Error).cause);
      return { countersLost: true };
    }
    if (parsed === undefined) return { countersLost: false };
    const record = parsed as Partial<OutboxRecord>;
    if (typeof record !== 'object' || record === null || !Array.isArray(record.messages) || !isId(record.sid)) {
      this.onCorrupt(`${this.record.key} does not hold an outbox; starting with an empty outbox under a new sender id`);
      return { countersLost: true };
    }
    const messages = record.messages.filter(isOutboxMessage);
    if (messages.length < record.messages.length) this.onCorrupt(`${this.record.key}: ignored ${record.messages.length - messages.length} malformed message(s)`);
    const seqs = typeof record.seqs === 'object' && record.seqs !== null && !Array.isArray(record.seqs) ? Object.entries(record.seqs) : undefined;
    const countersLost = !seqs || !seqs.every(([, seq]) => isSeq(seq));
    if (countersLost) this.onCorrupt(`${this.record.key} holds malformed seq counters; continuing under a new sender id`);
    return { record: { sid: record.sid, seqs: Object.fromEntries(seqs ?? []), messages }, countersLost };
  }
}
