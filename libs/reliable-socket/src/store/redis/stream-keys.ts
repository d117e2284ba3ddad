import { StreamName } from '@reliable-socket/client/protocol';
import type { StreamKey } from '../stream.store.js';

/*
 * Redis Cluster hashes only the text between the first `{` and the next `}`. Every key of one stream
 * carries the same tag `{<namespace>|<stream>}`, so each Lua script touches one slot. Names are
 * percent-encoded for `%`, `{`, `}` and `|`: braces inside a name cannot end the tag early, and a `|`
 * inside a name cannot make two different (namespace, stream) pairs produce the same tag.
 */
const encodeTagPart = (name: string): string =>
  name.replace(/[%{}|]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/** The hash tag of a stream, braces included. */
export const streamTag = (namespace: string, stream: string): string =>
  `{${encodeTagPart(namespace)}|${encodeTagPart(stream)}}`;

/**
 * Key names of the Redis store, all under one prefix:
 *
 * - `<prefix>{ns|stream}:log` — Redis stream, entry id `<offset>-0`, fields `t` (ms) and `m` (message JSON)
 * - `<prefix>{ns|stream}:meta` — hash `epoch`, `head`, `acked`; TTL 30 days, refreshed on append and ack
 * - `<prefix>{ns|stream}:idem:<key>` — `<offset>:<epoch>` of the first append with that idempotency key
 * - `<prefix>{ns|user:<id>}:rooms` — hash room → join offset (same slot as the user's own stream)
 * - `<prefix>{ns|room:<room>}:members` — set of user ids (same slot as the room's stream)
 * - channel `<prefix>acks` — `{namespace, stream, offset}` JSON per recorded ack
 */
export class StreamKeys {
  readonly acksChannel: string;

  constructor(private readonly prefix: string) {
    // A brace in the prefix would become the hash tag of every key and put all streams in one slot.
    if (/[{}]/.test(prefix)) throw new RangeError(`keyPrefix must not contain "{" or "}", got ${JSON.stringify(prefix)}`);
    this.acksChannel = `${prefix}acks`;
  }

  log(key: StreamKey): string {
    return `${this.base(key.namespace, key.stream)}:log`;
  }

  meta(key: StreamKey): string {
    return `${this.base(key.namespace, key.stream)}:meta`;
  }

  idempotency(key: StreamKey, idempotencyKey: string): string {
    return `${this.base(key.namespace, key.stream)}:idem:${idempotencyKey}`;
  }

  userRooms(namespace: string, userId: string): string {
    return `${this.base(namespace, StreamName.user(userId))}:rooms`;
  }

  roomMembers(namespace: string, room: string): string {
    return `${this.base(namespace, StreamName.room(room))}:members`;
  }

  private base(namespace: string, stream: string): string {
    return `${this.prefix}${streamTag(namespace, stream)}`;
  }
}
