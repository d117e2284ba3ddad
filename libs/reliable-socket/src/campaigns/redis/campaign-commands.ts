import type { RedisClient } from '../../redis/redis-client.js';
import { defineLuaCommands } from '../../redis/lua-commands.js';
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
 * The scripts as calls over `client` (see {@link defineLuaCommands}: one round trip each). Every script
 * takes the six keys of one campaign (`scriptKeys`).
 */
export function defineCampaignCommands(client: RedisClient): CampaignCommands {
  return defineLuaCommands<CampaignCommands>(client, {
    rsCampaignClaim: { lua: CLAIM_LUA, numberOfKeys: 6 },
    rsCampaignSent: { lua: RECORD_SENT_LUA, numberOfKeys: 6 },
    rsCampaignAcks: { lua: RECORD_ACKS_LUA, numberOfKeys: 6 },
    rsCampaignControl: { lua: CONTROL_LUA, numberOfKeys: 6 },
    rsCampaignProgress: { lua: PROGRESS_LUA, numberOfKeys: 6 },
  });
}
