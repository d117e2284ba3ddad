import { Inject, Injectable } from '@nestjs/common';
import { StreamName, WireEvent, type LiveBatchEnvelope, type LiveEnvelope, type WireMessage } from '@reliable-socket/client/protocol';
import { identityRoom, RESOLVED_OPTIONS, streamRoom } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { StreamStore, type StreamKey } from '../store/stream.store.js';
import { AppendBatcher, type StoredBatch } from './append.batcher.js';
import { nextEmitIdempotencyKey } from '../handlers/handler.context.js';
import { AckTracker } from './ack.tracker.js';
import { DeliveryReceipt } from './delivery.receipt.js';
import { ReliableMetrics } from '../metrics/reliable.metrics.js';

export interface ReliableEmitOptions {
  /**
   * Emits with the same key (per stream) are stored once; the repeat resolves to the first receipt.
   * Inside a `@Reliable()` handler the key defaults to one derived from the inbound message id, so a
   * handler that runs again after a crash does not append its messages twice.
   */
  idempotencyKey?: string;
  /** After this time (ms since the epoch) devices that had not received the message skip it. */
  expiresAt?: number;
}

function requireName(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`ReliableEmitter: ${kind} must be a non-empty string`);
  return value;
}

/** A stream of one namespace that messages can be emitted to. */
export class StreamTarget {
  constructor(
    private readonly emitter: NamespaceEmitter,
    readonly stream: string,
  ) {}

  /** Appends the message to the stream, delivers it live, and resolves once it is durable. */
  emit(event: string, data: unknown, options?: ReliableEmitOptions): Promise<DeliveryReceipt> {
    return this.emitter.publish(this.stream, requireName('event', event), data, options);
  }
}

interface EmitterDependencies {
  store: StreamStore;
  registry: NamespaceRegistry;
  tracker: AckTracker;
  batcher: AppendBatcher;
}

/** {@link ReliableEmitter} bound to one namespace. */
export class NamespaceEmitter {
  constructor(
    readonly namespace: string,
    private readonly deps: EmitterDependencies,
  ) {}

  toUser(userId: string): StreamTarget {
    return new StreamTarget(this, StreamName.user(requireName('userId', userId)));
  }

  toRoom(room: string): StreamTarget {
    return new StreamTarget(this, StreamName.room(requireName('room', room)));
  }

  /**
   * Makes the user a member of the room, remembered in the store: every device of the user, on any
   * node, now and after reconnecting, receives the room's messages from this point on.
   */
  async join(userId: string, room: string): Promise<void> {
    const stream = StreamName.room(requireName('room', room));
    const joinedAt = await this.deps.store.joinRoom(this.namespace, requireName('userId', userId), room);
    const namespace = this.deps.registry.get(this.namespace);
    namespace.in(identityRoom(userId)).socketsJoin(streamRoom(stream));
    // Whatever reached the room between the membership and the live join is pushed once; devices drop what they have.
    const page = await this.deps.store.read({ namespace: this.namespace, stream }, joinedAt, 500);
    namespace.to(identityRoom(userId)).emit(WireEvent.Batch, { stream, epoch: page.epoch, after: Math.max(joinedAt, page.first - 1), messages: page.messages, joined: true });
  }

  async leave(userId: string, room: string): Promise<void> {
    await this.deps.store.leaveRoom(this.namespace, requireName('userId', userId), requireName('room', room));
    this.deps.registry.get(this.namespace).in(identityRoom(userId)).socketsLeave(streamRoom(StreamName.room(room)));
  }

  /** @internal used by {@link StreamTarget}. */
  async publish(stream: string, event: string, data: unknown, options?: ReliableEmitOptions): Promise<DeliveryReceipt> {
    this.deps.registry.get(this.namespace); // fail fast on an unknown namespace, before storing anything
    const idempotencyKey = options?.idempotencyKey ?? nextEmitIdempotencyKey();
    const appended = await this.deps.batcher.append({ namespace: this.namespace, stream }, { event, data, idempotencyKey, expiresAt: options?.expiresAt });
    return new DeliveryReceipt(this.namespace, stream, appended.epoch, appended.offset, appended.duplicate, this.deps.tracker);
  }
}

/** Sends what a store call just made durable to the stream's live room, on every node: one packet per batch. */
function deliverLive(registry: NamespaceRegistry, key: StreamKey, batch: StoredBatch): void {
  const fresh = batch.filter(({ result }) => !result.duplicate);
  if (fresh.length === 0) return;
  const ts = Date.now();
  const messages: WireMessage[] = fresh.map(({ input, result }) =>
    input.expiresAt === undefined
      ? { offset: result.offset, event: input.event, data: input.data, ts }
      : { offset: result.offset, event: input.event, data: input.data, ts, expiresAt: input.expiresAt },
  );
  const room = registry.get(key.namespace).to(streamRoom(key.stream));
  const epoch = fresh[0].result.epoch;
  if (messages.length === 1) {
    room.emit(WireEvent.Message, { stream: key.stream, epoch, ...messages[0] } satisfies LiveEnvelope);
  } else {
    room.emit(WireEvent.Messages, { stream: key.stream, epoch, messages } satisfies LiveBatchEnvelope);
  }
}

/**
 * Emits messages that are stored before they are sent, so a recipient that is offline, on another
 * node, or reconnecting gets them on its next (re)connection, in order, exactly once per device.
 *
 * @example
 * constructor(private readonly emitter: ReliableEmitter) {}
 * const receipt = await this.emitter.toUser('bob').emit('message', { text: 'hi' });
 * await this.emitter.of('/admin').toRoom('ops').emit('alert', { level: 'high' });
 */
@Injectable()
export class ReliableEmitter {
  private readonly deps: EmitterDependencies;

  constructor(
    @Inject(StreamStore) store: StreamStore,
    private readonly registry: NamespaceRegistry,
    tracker: AckTracker,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    metrics: ReliableMetrics,
  ) {
    const batcher = new AppendBatcher(store, (key, batch) => {
      metrics.messagesStored(key, batch);
      deliverLive(registry, key, batch);
    });
    this.deps = { store, registry, tracker, batcher };
  }

  /** Selects a namespace (the default is the only gateway namespace, or the `defaultNamespace` option). */
  of(namespace: string): NamespaceEmitter {
    return new NamespaceEmitter(requireName('namespace', namespace), this.deps);
  }

  toUser(userId: string): StreamTarget {
    return this.current().toUser(userId);
  }

  toRoom(room: string): StreamTarget {
    return this.current().toRoom(room);
  }

  join(userId: string, room: string): Promise<void> {
    return this.current().join(userId, room);
  }

  leave(userId: string, room: string): Promise<void> {
    return this.current().leave(userId, room);
  }

  private current(): NamespaceEmitter {
    return this.of(this.registry.defaultName(this.options.defaultNamespace));
  }
}
