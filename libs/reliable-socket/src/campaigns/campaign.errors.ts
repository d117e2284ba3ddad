import type { CampaignState } from './campaign.types.js';

/** A campaign spec or target the service refuses, naming the offending field. Nothing was stored. */
export class InvalidCampaignError extends Error {
  override name = 'InvalidCampaignError';

  constructor(
    /** The field at fault: `target`, `target.users`, `event`, `expiresAt`, `namespace`, … */
    readonly field: string,
    message: string,
  ) {
    super(`campaign ${field}: ${message}`);
  }
}

/** No campaign has this id (never created, or forgotten after its retention). */
export class CampaignNotFoundError extends Error {
  override name = 'CampaignNotFoundError';

  constructor(readonly id: string) {
    super(`campaign "${id}" not found`);
  }
}

/** The operation does not apply in the campaign's state (resuming a cancelled campaign, for one). */
export class CampaignStateError extends Error {
  override name = 'CampaignStateError';

  constructor(
    readonly id: string,
    readonly state: CampaignState,
    action: string,
  ) {
    super(`campaign "${id}" is ${state}: cannot ${action} it`);
  }
}
