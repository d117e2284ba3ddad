import { ReliableMetrics } from '../metrics/reliable.metrics.js';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { distinctUntilChanged, exhaustMap, takeWhile, timer, type Observable } from 'rxjs';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { CampaignAudience } from './campaign.audience.js';
import { CampaignNotFoundError, InvalidCampaignError } from './campaign.errors.js';
import { CampaignStore, type CampaignControl, type CampaignRecord } from './campaign.store.js';
import type { CampaignOperations, CampaignPreview, CampaignProgress, CampaignSpec, CampaignTarget } from './campaign.types.js';
import { FINAL_STATES, PROGRESS_POLL_MS } from './campaign.tuning.js';
import { validateSpec, validateTarget } from './campaign-spec.validator.js';

const sameProgress = (a: CampaignProgress, b: CampaignProgress): boolean =>
  a.state === b.state && a.total === b.total && a.delivered === b.delivered && a.pending === b.pending && a.expired === b.expired;

/**
 * Push campaigns: one message to many users, delivered reliably at a bounded rate, with exact progress.
 *
 * A **recipient** is a user. The message is appended once to the user's durable stream, so **every
 * device** of the user gets it: live when connected, by replay when it reconnects (before `expiresAt`;
 * the SDK skips it after). Progress counts recipients, not devices: a recipient is `delivered` when any
 * of its devices acknowledged the message (its handler ran), `expired` when none had by `expiresAt` (or
 * by a cancel), `pending` otherwise; `total = delivered + pending + expired` at every moment.
 *
 * Delivery runs in the background on every node (see `CampaignWorker`), so a campaign survives the node
 * that started it, and `ratePerSecond` holds across the whole cluster. Inject it by class, or by the
 * {@link CAMPAIGNS} token as `CampaignOperations`.
 *
 * @example
 * constructor(@Inject(CAMPAIGNS) private readonly campaigns: CampaignOperations) {}
 *
 * const target = { where: { 'user.region': 'eu', 'user.model': ['m3', 'm5'] } };
 * const { users, devices } = await this.campaigns.preview(target); // what the admin confirms
 * const { id } = await this.campaigns.start({
 *   target, event: 'firmware', data: { version: '2.1.3', url },
 *   ratePerSecond: 200, expiresAt: Date.now() + 6 * 3_600_000,
 * });
 * this.campaigns.progress$(id).subscribe(({ delivered, pending, expired }) => render(delivered, pending, expired));
 */
@Injectable()
export class CampaignService implements CampaignOperations {
  constructor(
    @Inject(CampaignStore) private readonly store: CampaignStore,
    private readonly audience: CampaignAudience,
    private readonly registry: NamespaceRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
    private readonly metrics: ReliableMetrics,
  ) {}

  /**
   * How many distinct users the target matches now, and their live connections across the cluster.
   * `users` and room members count whether online or not; `where` matches connected sockets only.
   *
   * @example
   * await campaigns.preview({ rooms: ['fleet-eu'], users: ['car-17'] }, '/vehicles'); // { users: 812, devices: 790 }
   */
  async preview(target: CampaignTarget, namespace?: string): Promise<CampaignPreview> {
    validateTarget(target);
    return this.audience.preview(target, this.boundNamespace(namespace));
  }

  /**
   * Validates the spec, resolves the recipients (a `where` resolves to the users matching now), stores
   * the campaign and returns its id; delivery goes on in the background. Throws `InvalidCampaignError`
   * (naming the field) for a bad spec, an unknown namespace, or a target that matches no user.
   *
   * @example
   * const { id } = await campaigns.start({ target: { users: ['car-1', 'car-2'] }, event: 'update', data, expiresAt: Date.now() + 3_600_000 });
   */
  async start(spec: CampaignSpec): Promise<{ id: string }> {
    const now = Date.now();
    // A re-send after a crash must still be deduplicated, and a late device must still find the message.
    validateSpec(spec, { now, maxLifetimeMs: Math.min(this.options.idempotencyTtlMs, this.options.retention.maxAgeMs) });
    const namespace = this.boundNamespace(spec.namespace);
    const recipients = await this.audience.recipients(spec.target, namespace);
    if (recipients.length === 0) throw new InvalidCampaignError('target', 'matches no users');
    const record: CampaignRecord = { id: randomUUID(), namespace, event: spec.event, data: spec.data, expiresAt: spec.expiresAt, createdAt: now };
    if (spec.ratePerSecond !== undefined) record.ratePerSecond = spec.ratePerSecond;
    await this.store.create(record, recipients);
    return { id: record.id };
  }

  /**
   * Exact counts now. Throws `CampaignNotFoundError` for an unknown id.
   *
   * @example
   * const { state, delivered, total } = await campaigns.progress(id);
   */
  async progress(id: string): Promise<CampaignProgress> {
    const progress = await this.store.progress(id);
    if (!progress) throw new CampaignNotFoundError(id);
    this.metrics.reportCampaign(progress);
    return progress;
  }

  /**
   * The progress now, then on every change (polled every {@link PROGRESS_POLL_MS} ms); completes after
   * the final state (`completed`, `expired`, `cancelled`). Errors with `CampaignNotFoundError` for an unknown id.
   *
   * @example
   * campaigns.progress$(id).subscribe({ next: render, complete: () => notify('campaign finished') });
   */
  progress$(id: string): Observable<CampaignProgress> {
    return timer(0, PROGRESS_POLL_MS).pipe(
      exhaustMap(() => this.progress(id)),
      distinctUntilChanged(sameProgress),
      takeWhile((progress) => !FINAL_STATES.has(progress.state), true),
    );
  }

  /**
   * Stops sending on every node at its next tick; messages already sent can still be acknowledged.
   * Idempotent; throws `CampaignStateError` once the campaign is final.
   */
  pause(id: string): Promise<CampaignProgress> {
    return this.control(id, 'pause');
  }

  /** Sends again after {@link pause}. Idempotent; throws `CampaignStateError` once the campaign is final. */
  resume(id: string): Promise<CampaignProgress> {
    return this.control(id, 'resume');
  }

  /**
   * Stops the campaign for good (state `cancelled`): every recipient not delivered yet counts as
   * expired, whether its message was sent or not, and later acks no longer count. A message already
   * appended stays in its recipient's stream, so a device may still receive it until `expiresAt`.
   */
  cancel(id: string): Promise<CampaignProgress> {
    return this.control(id, 'cancel');
  }

  private control(id: string, action: CampaignControl): Promise<CampaignProgress> {
    return this.store.control(id, action);
  }

  /** The namespace to use, which must be bound on this node (the default when none is given). */
  private boundNamespace(namespace: string | undefined): string {
    try {
      const name = namespace ?? this.registry.defaultName(this.options.defaultNamespace);
      this.registry.get(name);
      return name;
    } catch (error) {
      throw new InvalidCampaignError('namespace', (error as Error).message);
    }
  }
}
