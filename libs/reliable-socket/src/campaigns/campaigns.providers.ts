import type { Provider } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { ReliableBackend } from '../store/reliable.backend.js';
import { ActiveCampaigns } from './active-campaigns.js';
import { CampaignAckListener } from './campaign-ack.listener.js';
import { CampaignAudience } from './campaign.audience.js';
import { CampaignService } from './campaign.service.js';
import { CampaignStore } from './campaign.store.js';
import { CAMPAIGNS } from './campaign.types.js';
import { CampaignWorker } from './campaign.worker.js';
import { MemoryCampaignStore } from './memory-campaign.store.js';
import { RedisCampaignStore } from './redis-campaign.store.js';

/** Redis when the backend has it (campaigns are then shared by the cluster), memory otherwise. */
function createCampaignStore(backend: ReliableBackend, options: ResolvedReliableSocketOptions): CampaignStore {
  const client = backend.connections?.command;
  return client ? new RedisCampaignStore({ client, keyPrefix: options.keyPrefix }) : new MemoryCampaignStore();
}

/** Providers of the campaigns capability, registered by ReliableSocketModule. */
export const CAMPAIGNS_PROVIDERS: Provider[] = [
  { provide: CampaignStore, useFactory: createCampaignStore, inject: [ReliableBackend, RESOLVED_OPTIONS] },
  ActiveCampaigns,
  CampaignAudience,
  CampaignWorker,
  CampaignAckListener,
  CampaignService,
  { provide: CAMPAIGNS, useExisting: CampaignService },
];

/** What ReliableSocketModule exports of the campaigns capability. */
export const CAMPAIGNS_EXPORTS: Array<string | symbol | Function> = [CAMPAIGNS, CampaignService];
