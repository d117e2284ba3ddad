import type { RedisClient } from '../../redis/redis-client.js';
import type { CampaignState } from '../campaign.types.js';
import { CLAIM_LUA } from './claim.lua.js';
import { CONTROL_LUA } from './control.lua.js';
import { PROGRESS_LUA } from './progress.lua.js';
import { RECORD_ACKS_LUA } from './record-acks.lua.js';
import { RECORD_SENT_LUA } from './record-sent.lua.js';

type Argument = string | number;

/** The campaign store's Lua scripts as commands of its connection, prefixed apart from the other stores'. */
export interface CampaignCommands {
  rsCampaignClaim(...keysAndArguments: Argument[]): Promise<[] | [CampaignState, ...string[]]>;
  rsCampaignSent(...keysAndArguments: Argument[]): Promise<0 | 1>;
  rsCampaignAcks(...keysAndArguments: Argument[]): Promise<0 | 1>;
  rsCampaignControl(...keysAndArguments: Argument[]): Promise<['missing'] | ['final', CampaignState] | ['ok']>;
  rsCampaignProgress(...keysAndArguments: Argument[]): Promise<[] | [CampaignState, number, number, number, number]>;
}

/**
 * Registers the scripts on `client`. As for the stream store (`store/redis/stream-commands.ts`),
 * `defineCommand` sends EVALSHA and falls back to EVAL on NOSCRIPT, so each call is one round trip.
 * Every script takes the six keys of one campaign (`scriptKeys`).
 */
export function defineCampaignCommands(client: RedisClient): CampaignCommands {
  client.defineCommand('rsCampaignClaim', { lua: CLAIM_LUA, numberOfKeys: 6 });
  client.defineCommand('rsCampaignSent', { lua: RECORD_SENT_LUA, numberOfKeys: 6 });
  client.defineCommand('rsCampaignAcks', { lua: RECORD_ACKS_LUA, numberOfKeys: 6 });
  client.defineCommand('rsCampaignControl', { lua: CONTROL_LUA, numberOfKeys: 6 });
  client.defineCommand('rsCampaignProgress', { lua: PROGRESS_LUA, numberOfKeys: 6 });
  return client as unknown as CampaignCommands;
}
