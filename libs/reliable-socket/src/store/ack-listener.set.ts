import { Logger } from '@nestjs/common';
import type { AckListener, StreamKey } from './stream.store.js';

/**
 * The local listeners of one store. A throwing listener is logged and does not stop the others: acks
 * arrive from a pub/sub callback (Redis) or from `ack()` itself (memory), where nobody could handle it.
 */
export class AckListenerSet {
  private readonly logger = new Logger('ReliableSocket:StreamStore');
  // One entry per registration, so registering the same function twice needs two unsubscribes.
  private readonly registrations = new Set<{ listener: AckListener }>();

  add(listener: AckListener): () => void {
    const registration = { listener };
    this.registrations.add(registration);
    return () => {
      this.registrations.delete(registration);
    };
  }

  notify(key: StreamKey, offset: number): void {
    for (const { listener } of [...this.registrations]) {
      try {
        listener(key, offset);
      } catch (error) {
        this.logger.error(`ack listener failed for ${key.namespace} ${key.stream}@${offset}`, (error as Error).stack);
      }
    }
  }

  clear(): void {
    this.registrations.clear();
  }
}
