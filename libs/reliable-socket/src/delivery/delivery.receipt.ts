import type { StreamKey } from '../store/stream.store.js';
import type { AckTracker } from './ack.tracker.js';

/** Default wait of `receipt.delivered()`. */
export const DEFAULT_DELIVERED_TIMEOUT_MS = 30_000;

/**
 * What `emit` resolves to once the message is durable.
 *
 * @example
 * const receipt = await emitter.toUser('bob').emit('message', { text: 'hi' });
 * await receipt.delivered(5_000); // a device of bob handled it
 */
export class DeliveryReceipt {
  constructor(
    readonly namespace: string,
    readonly stream: string,
    readonly epoch: string,
    readonly offset: number,
    /** True when an earlier emit with the same idempotency key already stored this message. */
    readonly duplicate: boolean,
    private readonly tracker: AckTracker,
  ) {}

  /**
   * Resolves when a device of the recipient has acknowledged the message; rejects with
   * `DeliveryTimeoutError` after `timeoutMs`. The message stays in the stream either way.
   */
  delivered(timeoutMs: number = DEFAULT_DELIVERED_TIMEOUT_MS): Promise<void> {
    const key: StreamKey = { namespace: this.namespace, stream: this.stream };
    return this.tracker.waitFor(key, this.offset, timeoutMs);
  }
}
