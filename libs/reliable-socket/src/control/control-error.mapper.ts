import type { Logger } from '@nestjs/common';
import { CampaignNotFoundError, CampaignStateError, InvalidCampaignError } from '../campaigns/campaign.errors.js';
import { ControlErrorCode, ReliableControlError } from './reliable-control.error.js';

/**
 * Codes a delegate (the campaigns implementation) may put on its own errors to answer a caller's
 * mistake. Other codes are not passed on: a Node or Redis error code (`ECONNREFUSED`) says nothing
 * useful to a business service and leaks internals.
 */
const CALLER_ERROR_CODES = new Set<string>([ControlErrorCode.BadRequest, ControlErrorCode.NotFound, ControlErrorCode.Conflict]);

/** The campaigns' errors that answer a caller's mistake, by the code the caller gets. */
const CAMPAIGN_ERRORS: Array<[new (...args: never[]) => Error, string]> = [
  [InvalidCampaignError, ControlErrorCode.BadRequest],
  [CampaignNotFoundError, ControlErrorCode.NotFound],
  [CampaignStateError, ControlErrorCode.Conflict],
];

/**
 * What a command threw, as the error its caller receives. The library's own validation errors and
 * callers' mistakes (a refused campaign spec, an unknown campaign, a state conflict, or an error coded
 * as one) keep their message; a `RangeError` (an argument out of range, as the store's limit checks
 * throw) is a `BAD_REQUEST`; anything else becomes `INTERNAL` with nothing internal in it, and is
 * logged here instead.
 *
 * @example
 * catch (error) { throw toControlError(error, this.logger); }
 */
export function toControlError(error: unknown, logger: Logger): ReliableControlError {
  if (error instanceof ReliableControlError) return error;
  const campaignCode = CAMPAIGN_ERRORS.find(([type]) => error instanceof type)?.[1];
  if (campaignCode) return new ReliableControlError(campaignCode, (error as Error).message);
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CALLER_ERROR_CODES.has(code) && typeof message === 'string') return new ReliableControlError(code, message);
  if (error instanceof RangeError) return ReliableControlError.badRequest(error.message);
  logger.error(`control command failed: ${(error as Error)?.stack ?? String(error)}`);
  return new ReliableControlError(ControlErrorCode.Internal, 'Internal error');
}
