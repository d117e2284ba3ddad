import { Inject, Injectable } from '@nestjs/common';
import { CampaignStore, type CampaignRecord } from './campaign.store.js';

/**
 * This node's view of the active campaigns: their records, loaded once (a record never changes) and kept
 * in line with the store's active list by the worker's ticks. The ack listener reads it to know which
 * campaigns an ack may concern without a store call per ack.
 */
@Injectable()
export class ActiveCampaigns {
  private readonly records = new Map<string, CampaignRecord>();

  constructor(@Inject(CampaignStore) private readonly store: CampaignStore) {}

  /** Reloads the active list; returns the records of the active campaigns. */
  async refresh(): Promise<CampaignRecord[]> {
    const ids = new Set(await this.store.active());
    for (const id of this.records.keys()) if (!ids.has(id)) this.records.delete(id);
    for (const id of ids) {
      if (this.records.has(id)) continue;
      const record = await this.store.get(id);
      // Listed but without a record: its keys expired or were wiped (a record is written before the listing).
      if (record) this.records.set(id, record);
      else await this.store.retire(id);
    }
    return [...this.records.values()];
  }

  all(): CampaignRecord[] {
    return [...this.records.values()];
  }

  inNamespace(namespace: string): CampaignRecord[] {
    return [...this.records.values()].filter((record) => record.namespace === namespace);
  }

  /** Drops a campaign that became final, ahead of the next refresh. */
  forget(id: string): void {
    this.records.delete(id);
  }
}
