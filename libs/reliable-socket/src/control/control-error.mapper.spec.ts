import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CampaignNotFoundError, CampaignStateError, InvalidCampaignError } from '../campaigns/campaign.errors.js';
import { toControlError } from './control-error.mapper.js';
import { ReliableControlError } from './reliable-control.error.js';

describe('toControlError', () => {
  const logger = new Logger('test');

  it('keeps control errors, callers\' mistakes coded by a delegate, and range errors as BAD_REQUEST', () => {
    const own = new ReliableControlError('BAD_REQUEST', 'broadcast: "event" is required');
    expect(toControlError(own, logger)).toBe(own);
    const coded = Object.assign(new Error('no campaign c-9'), { code: 'NOT_FOUND' });
    expect(toControlError(coded, logger).toReply()).toEqual({ code: 'NOT_FOUND', message: 'no campaign c-9' });
    expect(toControlError(Object.assign(new Error('already cancelled'), { code: 'CONFLICT' }), logger).toReply()).toEqual({ code: 'CONFLICT', message: 'already cancelled' });
    expect(toControlError(new RangeError('ratePerSecond must be at most 10000'), logger).toReply()).toEqual({ code: 'BAD_REQUEST', message: 'ratePerSecond must be at most 10000' });
  });

  it("maps the campaigns' own errors to BAD_REQUEST, NOT_FOUND and CONFLICT", () => {
    expect(toControlError(new InvalidCampaignError('expiresAt', 'must be in the future'), logger).toReply()).toEqual({ code: 'BAD_REQUEST', message: 'campaign expiresAt: must be in the future' });
    expect(toControlError(new CampaignNotFoundError('c-9'), logger).toReply()).toEqual({ code: 'NOT_FOUND', message: 'campaign "c-9" not found' });
    expect(toControlError(new CampaignStateError('c-1', 'cancelled', 'resume'), logger).toReply()).toEqual({ code: 'CONFLICT', message: 'campaign "c-1" is cancelled: cannot resume it' });
  });

  it('hides anything else behind INTERNAL and logs it instead', () => {
    const log = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const system = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' });
    expect(toControlError(system, logger).toReply()).toEqual({ code: 'INTERNAL', message: 'Internal error' });
    expect(toControlError('a string', logger).toReply()).toEqual({ code: 'INTERNAL', message: 'Internal error' });
    expect(log).toHaveBeenCalledTimes(2);
    expect(String(log.mock.calls[0][0])).toContain('ECONNREFUSED');
  });
});
