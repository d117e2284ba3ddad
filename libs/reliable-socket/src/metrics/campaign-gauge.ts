import type { Gauge } from 'prom-client';
import type { CampaignProgress } from '../campaigns/campaign.types.js';

/** Recipient counts exported per campaign: `total = delivered + pending + expired`. */
const RECIPIENT_STATES = ['delivered', 'pending', 'expired'] as const;

/**
 * `campaign_recipients{campaign,state}`. Campaign ids never repeat, so only the `limit` most recently
 * reported campaigns keep their series; a finished campaign stops reporting and ages out.
 */
export class CampaignGauge {
  /** Reported campaign ids, least recently reported first. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly gauge: Gauge<'campaign' | 'state'>,
    private readonly limit: number,
  ) {}

  report(progress: CampaignProgress): void {
    this.reported.delete(progress.id);
    this.reported.add(progress.id);
    for (const state of RECIPIENT_STATES) this.gauge.set({ campaign: progress.id, state }, progress[state]);
    if (this.reported.size > this.limit) {
      const oldest = this.reported.values().next().value as string;
      this.reported.delete(oldest);
      for (const state of RECIPIENT_STATES) this.gauge.remove({ campaign: oldest, state });
    }
  }
}
