import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { StreamStore, type StreamKey } from '../store/stream.store.js';

interface Waiter {
  key: StreamKey;
  offset: number;
  resolve: () => void;
}

const waiterKey = (key: StreamKey): string => `${key.namespace}\u0000${key.stream}`;

/** Raised by `receipt.delivered()` when no device acknowledged the message in time. The message stays stored. */
export class DeliveryTimeoutError extends Error {
  constructor(
    readonly stream: string,
    readonly offset: number,
    timeoutMs: number,
  ) {
    super(`message ${stream}@${offset} was not acknowledged within ${timeoutMs} ms (it stays in the stream)`);
    this.name = 'DeliveryTimeoutError';
  }
}

/**
 * Resolves "has any device of the recipient handled offset N?" from the acks every node records in the
 * store. One store subscription serves every waiter on this node.
 */
@Injectable()
export class AckTracker implements OnApplicationShutdown {
  private readonly logger = new Logger('ReliableSocket');
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly unsubscribe: Array<() => void>;

  constructor(@Inject(StreamStore) private readonly store: StreamStore) {
    this.unsubscribe = [
      store.onAck((key, offset) => this.settle(waiterKey(key), offset)),
      store.onAcksMissed(() => void this.recheck()),
    ];
  }

  async waitFor(key: StreamKey, offset: number, timeoutMs: number): Promise<void> {
    const id = waiterKey(key);
    let waiter!: Waiter;
    const acknowledged = new Promise<void>((resolve) => {
      waiter = { key, offset, resolve };
    });
    // Registered before reading the recorded ack, so an ack landing in between is not missed.
    const set = this.waiters.get(id) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiters.set(id, set);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A store that cannot be read right now is no answer: the notices, or the re-read after a missed
      // stretch of them, still settle the wait.
      const recorded = await this.store.ackedOffset(key).catch(() => 0);
      if (recorded >= offset) return;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeliveryTimeoutError(key.stream, offset, timeoutMs)), timeoutMs);
      });
      await Promise.race([acknowledged, timedOut]);
    } finally {
      clearTimeout(timer);
      set.delete(waiter);
      if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
    }
  }

  /** After the graceful drain (beforeApplicationShutdown), so acks still resolve receipts while clients move away. */
  onApplicationShutdown(): void {
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
  }

  /** Acks may have been recorded while their notices could not reach this node: read them. */
  private async recheck(): Promise<void> {
    await Promise.all([...this.waiters].map(async ([id, set]) => {
      const key = set.values().next().value?.key;
      if (!key) return;
      try {
        this.settle(id, await this.store.ackedOffset(key));
      } catch (error) {
        this.logger.warn(`cannot re-read the acks of ${key.stream}: ${(error as Error).message}`);
      }
    }));
  }

  private settle(id: string, offset: number): void {
    for (const waiter of this.waiters.get(id) ?? []) {
      if (offset >= waiter.offset) waiter.resolve();
    }
  }
}
