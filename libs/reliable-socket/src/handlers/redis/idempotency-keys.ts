import { StreamName } from '@reliable-socket/client/protocol';
import { streamTag } from '../../store/redis/stream-keys.js';
import type { MessageKey, SequenceKey } from '../idempotency.store.js';

/*
 * Names inside a key are percent-encoded for `%` and `:` so that `a:b` + `c` and `a` + `b:c` cannot
 * produce the same key, and for `{` `}` so no brace ever follows the tag (a reader of the key never has
 * to wonder which braces Redis Cluster hashes).
 */
const encodeKeyPart = (name: string): string =>
  name.replace(/[%:{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Key names of the Redis idempotency store, all under one prefix and hash-tagged by the user's stream,
 * so they share a Redis Cluster slot with everything else of that user:
 *
 * - `<prefix>{ns|user:<id>}:msg:<event>:<messageId>` — string `L:<token>` while leased (TTL = the lease),
 *   then `D:<reply JSON>` once done (TTL = the dedupe window)
 * - `<prefix>{ns|user:<id>}:seq:<senderId>:<event>` — the highest completed sequence number (TTL refreshed on record)
 */
export class IdempotencyKeys {
  constructor(private readonly prefix: string) {
    // A brace in the prefix would become the hash tag of every key and put all users in one slot.
    if (/[{}]/.test(prefix)) throw new RangeError(`keyPrefix must not contain "{" or "}", got ${JSON.stringify(prefix)}`);
  }

  /** The last (namespace, user, event) a message key was made for, and that key's start. */
  private lastMessages = { namespace: '', userId: '', event: '', start: '' };

  message(key: MessageKey): string {
    return `${this.messagesStart(key)}${encodeKeyPart(key.messageId)}`;
  }

  sequence(key: SequenceKey): string {
    return `${this.base(key.namespace, key.userId)}:seq:${encodeKeyPart(key.senderId)}:${encodeKeyPart(key.event)}`;
  }

  /**
   * The keys of one store call are all one user's, and mostly of one event: their common start is made
   * once per call, not once per key.
   */
  private messagesStart({ namespace, userId, event }: MessageKey): string {
    const last = this.lastMessages;
    if (last.start !== '' && last.namespace === namespace && last.userId === userId && last.event === event) return last.start;
    const start = `${this.base(namespace, userId)}:msg:${encodeKeyPart(event)}:`;
    this.lastMessages = { namespace, userId, event, start };
    return start;
  }

  private base(namespace: string, userId: string): string {
    return `${this.prefix}${streamTag(namespace, StreamName.user(userId))}`;
  }
}
