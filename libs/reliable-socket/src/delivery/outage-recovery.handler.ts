import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WireEvent, type SyncedEnvelope } from '@reliable-socket/client/protocol';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { onResubscribed } from '../redis/resubscription.watch.js';
import { streamOfRoom, streamRoom } from '../reliable-socket.constants.js';
import { ReliableBackend } from '../store/reliable.backend.js';
import { StreamStore } from '../store/stream.store.js';

/** Between attempts when the heads cannot be read yet (Redis is still flapping). */
const RETRY_MS = 1_000;

/**
 * Live messages reach a node through the Socket.IO Redis adapter's subscription. While that connection
 * is down, the messages published meanwhile never arrive, and a connected client only notices when a
 * later message of the same stream shows the hole. So once the subscription is confirmed again after an
 * outage (heads read before that could miss what is published in between), every stream followed on this
 * node gets its current head in an `rs:head`: each client fetches what it lacks up to that head (the
 * ordinary gap fill), without reconnecting.
 */
@Injectable()
export class OutageRecoveryHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReliableSocket');
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private stopWatching?: () => void;

  constructor(
    private readonly backend: ReliableBackend,
    private readonly namespaces: NamespaceRegistry,
    @Inject(StreamStore) private readonly store: StreamStore,
  ) {}

  onApplicationBootstrap(): void {
    const subscription = this.backend.connections?.adapterSub;
    if (subscription) this.stopWatching = onResubscribed(subscription, () => void this.announceHeads());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.stopWatching?.();
    clearTimeout(this.retry);
  }

  /** Sends the head of every stream with live listeners on this node to them; retried until it succeeds. */
  async announceHeads(): Promise<void> {
    clearTimeout(this.retry);
    try {
      await Promise.all(this.namespaces.names().map((name) => this.announceIn(name)));
      this.retry = undefined;
    } catch (error) {
      if (this.stopped) return;
      if (!this.retry) this.logger.warn(`cannot announce stream heads after the Redis outage yet (${(error as Error).message}); retrying`);
      this.retry = setTimeout(() => void this.announceHeads(), RETRY_MS);
      this.retry.unref();
    }
  }

  private async announceIn(name: string): Promise<void> {
    const namespace = this.namespaces.get(name);
    const streams = [...namespace.adapter.rooms.keys()].flatMap((room) => streamOfRoom(room) ?? []);
    await Promise.all(streams.map(async (stream) => {
      const { epoch, head } = await this.store.state({ namespace: name, stream });
      const envelope: SyncedEnvelope = { streams: [{ stream, epoch, head }] };
      namespace.local.to(streamRoom(stream)).emit(WireEvent.Head, envelope);
    }));
  }
}
