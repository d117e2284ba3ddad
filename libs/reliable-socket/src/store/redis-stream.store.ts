import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import { StreamName, type WireMessage } from '@reliable-socket/client/protocol';
import { createAckListenerSet } from './ack-listener.set.js';
import { ListenerSet } from '../common/listener.set.js';
import { onResubscribed } from '../redis/resubscription.watch.js';
import { decodeMessage, encodeMessageBody } from './message.codec.js';
import { defineStreamCommands, type StreamCommands } from './redis/stream-commands.js';
import { StreamKeys } from './redis/stream-keys.js';
import { assertOffset, assertStoreLimits, metaTtlMs } from './store-limits.policy.js';
import type {
  AckListener, AppendInput, AppendResult, ReadResult, RetentionPolicy, StreamKey, StreamState, StreamStore,
} from './stream.store.js';

type Argument = string | number;

export interface RedisStreamStoreOptions {
  /** Command connection; the store's scripts are registered on it. Owned by the caller, never quit here. */
  client: RedisClient;
  /**
   * Connection dedicated to SUBSCRIBE (a subscribed connection cannot run commands). Owned by the caller.
   * Do not share it with another store on the same `keyPrefix`: closing one would unsubscribe both.
   */
  subscriber: RedisClient;
  /** Prefix of every key and of the acks channel; must not contain `{` or `}`. */
  keyPrefix: string;
  retention: RetentionPolicy;
  idempotencyTtlMs: number;
}

interface AckNotice {
  namespace: string;
  stream: string;
  offset: number;
}

function parseAckNotice(message: string): AckNotice | undefined {
  try {
    const notice = JSON.parse(message) as Partial<AckNotice>;
    const valid = typeof notice.namespace === 'string' && typeof notice.stream === 'string' && Number.isSafeInteger(notice.offset);
    return valid ? (notice as AckNotice) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * {@link StreamStore} on Redis, shared by every node of a cluster. Each operation on a stream is one Lua
 * script over keys sharing one hash tag (see `redis/stream-keys.ts`), so it is atomic, Redis Cluster
 * compatible, and costs one round trip. Acks are fanned out to every node over pub/sub.
 */
export class RedisStreamStore implements StreamStore {
  private readonly keys: StreamKeys;
  private readonly commands: StreamCommands;
  private readonly listeners = createAckListenerSet();
  private readonly missedListeners = new ListenerSet<[]>('ReliableSocket:StreamStore', () => 'missed acks');
  private readonly stopWatching: () => void;
  private readonly metaTtlMs: number;
  private readonly subscribed: Promise<unknown>;
  private closed = false;

  constructor(private readonly options: RedisStreamStoreOptions) {
    assertStoreLimits(options.retention, options.idempotencyTtlMs);
    if (options.subscriber === options.client) throw new RangeError('subscriber must be a connection separate from client');
    this.keys = new StreamKeys(options.keyPrefix);
    this.commands = defineStreamCommands(options.client);
    this.metaTtlMs = metaTtlMs(options.retention);
    options.subscriber.on('message', this.dispatchAck);
    this.stopWatching = onResubscribed(options.subscriber, () => this.missedListeners.notify());
    // Subscribed from the start rather than on the first onAck, so ping() can vouch that acks are heard.
    this.subscribed = options.subscriber.subscribe(this.keys.acksChannel);
    this.subscribed.catch(() => undefined); // reported by ping(), not as an unhandled rejection
  }

  async append(key: StreamKey, input: AppendInput): Promise<AppendResult> {
    return (await this.appendBatch(key, [input]))[0];
  }

  async appendBatch(key: StreamKey, inputs: AppendInput[]): Promise<AppendResult[]> {
    if (inputs.length === 0) return [];
    const keys = [this.keys.meta(key), this.keys.log(key)];
    const messageArguments: Argument[] = [];
    for (const input of inputs) {
      messageArguments.push(encodeMessageBody(input), input.idempotencyKey === undefined ? 0 : 1);
      if (input.idempotencyKey !== undefined) keys.push(this.keys.idempotency(key, input.idempotencyKey));
    }
    const { maxLength, maxAgeMs } = this.options.retention;
    const [epoch, ...offsetsAndFlags] = await this.commands.rsStreamAppend(
      keys.length, ...keys,
      randomUUID(), maxLength, maxAgeMs, this.metaTtlMs, this.options.idempotencyTtlMs, ...messageArguments,
    );
    return inputs.map((_, index) => ({ epoch, offset: offsetsAndFlags[index * 2], duplicate: offsetsAndFlags[index * 2 + 1] === 1 }));
  }

  async read(key: StreamKey, after: number, limit: number): Promise<ReadResult> {
    assertOffset('after', after);
    assertOffset('limit', limit);
    const [epoch, first, head, ...entries] = await this.commands.rsStreamRead(
      this.keys.meta(key), this.keys.log(key),
      randomUUID(), after, limit, this.options.retention.maxAgeMs, this.metaTtlMs,
    );
    const messages: WireMessage[] = [];
    for (let index = 0; index < entries.length; index += 2) {
      messages.push(decodeMessage(Number(entries[index]), String(entries[index + 1])));
    }
    return { epoch, first, head, messages };
  }

  async state(key: StreamKey): Promise<StreamState> {
    const { epoch, first, head } = await this.read(key, 0, 0);
    return { epoch, first, head };
  }

  async ack(key: StreamKey, offset: number): Promise<void> {
    assertOffset('offset', offset);
    await this.commands.rsStreamAck(
      this.keys.meta(key),
      offset, this.metaTtlMs, this.keys.acksChannel, key.namespace, key.stream,
    );
  }

  async ackedOffset(key: StreamKey): Promise<number> {
    return Number((await this.options.client.hget(this.keys.meta(key), 'acked')) ?? 0);
  }

  onAck(listener: AckListener): () => void {
    return this.listeners.add(listener);
  }

  onAcksMissed(listener: () => void): () => void {
    return this.missedListeners.add(listener);
  }

  /*
   * A user's rooms hash sits in the slot of the user's stream and a room's member set in the slot of the
   * room's stream, so no single script can update both. The user side is the record replay starts from;
   * the member set is an index. Joining writes the record first and leaving removes it last, so a crash
   * in between leaves at worst a record without index entry, which the retried call completes, and never
   * a member without a start offset.
   */
  async joinRoom(namespace: string, userId: string, room: string): Promise<number> {
    const { head } = await this.state({ namespace, stream: StreamName.room(room) });
    const joinedAt = await this.commands.rsRecordJoin(this.keys.userRooms(namespace, userId), room, head);
    await this.options.client.sadd(this.keys.roomMembers(namespace, room), userId);
    return joinedAt;
  }

  async leaveRoom(namespace: string, userId: string, room: string): Promise<void> {
    await this.options.client.srem(this.keys.roomMembers(namespace, room), userId);
    await this.options.client.hdel(this.keys.userRooms(namespace, userId), room);
  }

  async roomsOf(namespace: string, userId: string): Promise<Map<string, number>> {
    const rooms = await this.options.client.hgetall(this.keys.userRooms(namespace, userId));
    return new Map(Object.entries(rooms).map(([room, joinedAt]) => [room, Number(joinedAt)]));
  }

  async membersOf(namespace: string, room: string): Promise<string[]> {
    return this.options.client.smembers(this.keys.roomMembers(namespace, room));
  }

  async ping(): Promise<void> {
    await Promise.all([this.options.client.ping(), this.subscribed]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.missedListeners.clear();
    this.options.subscriber.off('message', this.dispatchAck);
    this.stopWatching();
    // The caller may already have quit the subscriber; there is nothing left to release then.
    await this.options.subscriber.unsubscribe(this.keys.acksChannel).catch(() => undefined);
  }

  private readonly dispatchAck = (channel: string, message: string): void => {
    if (channel !== this.keys.acksChannel) return;
    const notice = parseAckNotice(message);
    if (notice) this.listeners.notify({ namespace: notice.namespace, stream: notice.stream }, notice.offset);
  };
}
