import type { Socket } from 'socket.io';
import type { BatchEnvelope, Cursor } from '@reliable-socket/client/protocol';
import type { CampaignProgress } from '../campaigns/campaign.types.js';
import type { StoredBatch } from '../delivery/append.batcher.js';
import type { StreamKey } from '../store/stream.store.js';

/**
 * What the library measures, as the rest of the library reports it. Inject it to report from your own
 * code (campaigns call {@link reportCampaign}).
 *
 * This base class records nothing: it is what runs when `prom-client` is not installed, so call sites
 * never check. With `prom-client` the module provides {@link PrometheusMetrics}, which overrides every method.
 */
export class ReliableMetrics {
  /** Counts the live messages (`rs:msg`, each message of an `rs:msgs`) written to this local socket. */
  observeSocket(socket: Socket): void {}

  /** A store call on this node made these messages durable (duplicates by idempotency key are skipped). */
  messagesStored(key: StreamKey, batch: StoredBatch): void {}

  /**
   * A page of history (reconnect replay or `rs:fetch` reply) was sent to a device whose position in the
   * stream was `cursor`; also counts the gap the device signals because of it, if any.
   */
  historySent(namespace: string, batch: BatchEnvelope, cursor: Cursor | undefined): void {}

  /** A session was evicted by a newer one (`@UniquePerNamespace({ onConflict: 'replace' })`). */
  sessionReplaced(namespace: string): void {}

  /** A duplicate of a `@Reliable()` message was answered from the recorded reply. */
  dedupeHit(namespace: string): void {}

  /** Latest recipient counts of a campaign (`campaign_recipients{campaign,state}`). */
  reportCampaign(progress: CampaignProgress): void {}
}
