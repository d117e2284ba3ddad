import { Logger } from '@nestjs/common';

/**
 * The local listeners of a store's notifications. A throwing listener is logged and does not stop the
 * others: notifications arrive from a pub/sub callback (Redis) or from inside a store call (memory),
 * where nobody could handle the error.
 */
export class ListenerSet<Args extends unknown[]> {
  private readonly logger: Logger;
  // One entry per registration, so registering the same function twice needs two unsubscribes.
  private readonly registrations = new Set<{ listener: (...args: Args) => void }>();

  /** @param describe names a notification in the log line of a failing listener */
  constructor(
    context: string,
    private readonly describe: (...args: Args) => string,
  ) {
    this.logger = new Logger(context);
  }

  add(listener: (...args: Args) => void): () => void {
    const registration = { listener };
    this.registrations.add(registration);
    return () => {
      this.registrations.delete(registration);
    };
  }

  notify(...args: Args): void {
    for (const { listener } of [...this.registrations]) {
      try {
        listener(...args);
      } catch (error) {
        this.logger.error(`listener failed for ${this.describe(...args)}`, (error as Error).stack);
      }
    }
  }

  clear(): void {
    this.registrations.clear();
  }
}
