import { describe, expect, it } from '@jest/globals';
import type { ModuleRef } from '@nestjs/core';
import { CAMPAIGNS, type CampaignOperations, type CampaignProgress } from '../campaigns/campaign.types.js';
import { CampaignCommandsHandler } from './campaign-commands.handler.js';
import { ReliableControlError } from './reliable-control.error.js';

/** A ModuleRef that knows the CAMPAIGNS provider once `registered` is set. */
function moduleRefWith(holder: { registered?: Partial<CampaignOperations> }): ModuleRef {
  return {
    get: (token: unknown) => {
      if (token === CAMPAIGNS && holder.registered) return holder.registered;
      throw new Error('Nest could not find CAMPAIGNS element');
    },
  } as unknown as ModuleRef;
}

describe('CampaignCommandsHandler', () => {
  const progress: CampaignProgress = { id: 'c-1', state: 'paused', total: 3, delivered: 1, pending: 2, expired: 0 };

  it('answers UNAVAILABLE while no campaigns implementation exists, and uses one registered later', async () => {
    const holder: { registered?: Partial<CampaignOperations> } = {};
    const handler = new CampaignCommandsHandler(moduleRefWith(holder));
    const error = (await handler.pause({ requestId: 'r', id: 'c-1' }).catch((caught: unknown) => caught)) as ReliableControlError;
    expect(error).toBeInstanceOf(ReliableControlError);
    expect(error.code).toBe('UNAVAILABLE');
    holder.registered = { pause: async (id) => ({ ...progress, id }) };
    await expect(handler.pause({ requestId: 'r', id: 'c-1' })).resolves.toEqual(progress);
  });

  it('hands the spec to start() without the control requestId', async () => {
    const started: unknown[] = [];
    const handler = new CampaignCommandsHandler(moduleRefWith({ registered: { start: async (spec) => (started.push(spec), { id: 'c-2' }) } }));
    const spec = { target: { rooms: ['vip'] }, event: 'promo', data: { code: 'X' }, expiresAt: 1_900_000_000_000 };
    await expect(handler.start({ requestId: 'r', ...spec })).resolves.toEqual({ id: 'c-2' });
    expect(started).toEqual([spec]);
  });
});
