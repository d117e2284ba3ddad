import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CAMPAIGNS, type CampaignOperations, type CampaignPreview, type CampaignProgress, type CampaignSpec } from '../campaigns/campaign.types.js';
import type { CampaignIdRequest, CampaignPreviewRequest, ControlPayload } from './control.contract.js';
import { ControlErrorCode, ReliableControlError } from './reliable-control.error.js';

/**
 * Executes `campaign.*` through whatever implements {@link CampaignOperations} under the `CAMPAIGNS`
 * token. It is looked up at the first campaign command, anywhere in the application, so the control
 * plane works without it: campaign commands then answer `UNAVAILABLE`.
 */
@Injectable()
export class CampaignCommandsHandler {
  private campaigns: CampaignOperations | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * @example
   * await handler.preview({ requestId, target: { rooms: ['vip'] }, namespace: '/chat' }); // { users: 120, devices: 143 }
   */
  async preview({ target, namespace }: ControlPayload<CampaignPreviewRequest>): Promise<CampaignPreview> {
    return this.operations().preview(target, namespace);
  }

  /**
   * @example
   * await handler.start({ requestId, target: { users: ['alice'] }, event: 'promo', data: {}, expiresAt: Date.now() + 3_600_000 }); // { id: 'c-…' }
   */
  async start({ requestId: _requestId, ...spec }: ControlPayload<CampaignSpec>): Promise<{ id: string }> {
    return this.operations().start(spec);
  }

  async progress({ id }: ControlPayload<CampaignIdRequest>): Promise<CampaignProgress> {
    return this.operations().progress(id);
  }

  async pause({ id }: ControlPayload<CampaignIdRequest>): Promise<CampaignProgress> {
    return this.operations().pause(id);
  }

  async resume({ id }: ControlPayload<CampaignIdRequest>): Promise<CampaignProgress> {
    return this.operations().resume(id);
  }

  async cancel({ id }: ControlPayload<CampaignIdRequest>): Promise<CampaignProgress> {
    return this.operations().cancel(id);
  }

  private operations(): CampaignOperations {
    // Only a found implementation is kept: one registered later (or in a lazily loaded module) is still picked up.
    this.campaigns ??= this.lookUp();
    return this.campaigns;
  }

  private lookUp(): CampaignOperations {
    try {
      return this.moduleRef.get<CampaignOperations>(CAMPAIGNS, { strict: false });
    } catch {
      throw new ReliableControlError(ControlErrorCode.Unavailable, 'campaigns are not available: no CampaignOperations provider is registered under the CAMPAIGNS token');
    }
  }
}
