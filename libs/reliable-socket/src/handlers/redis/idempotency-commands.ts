import type { RedisClient } from '../../redis/redis-client.js';
import { defineLuaCommands } from '../../redis/lua-commands.js';
import { CLAIM_LUA } from './claim.lua.js';
import { COMPLETE_LUA } from './complete.lua.js';
import { RECORD_SEQUENCE_LUA } from './record-sequence.lua.js';
import { RELEASE_LUA } from './release.lua.js';
import { RENEW_LUA } from './renew.lua.js';

type Argument = string | number;

/** The idempotency store's Lua scripts as commands of its connection, prefixed apart from the stream store's. */
export interface IdempotencyCommands {
  /** The batch scripts take their key count first (as `rsStreamAppend`); replies hold one entry per key. */
  rsIdemClaim(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<Array<['done', string] | ['busy', number] | ['claimed']>>;
  rsIdemRenew(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<Array<0 | 1>>;
  /** Per key: the earlier reply JSON, or the 1-based index of the batch entry whose reply was recorded. */
  rsIdemComplete(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<Array<string | number>>;
  rsIdemRelease(key: string, token: string): Promise<0 | 1>;
  rsIdemRecordSeq(...keysAndArguments: Argument[]): Promise<null>;
}

/** The scripts as calls over `client` (see {@link defineLuaCommands}: one round trip each). */
export function defineIdempotencyCommands(client: RedisClient): IdempotencyCommands {
  return defineLuaCommands<IdempotencyCommands>(client, {
    rsIdemClaim: { lua: CLAIM_LUA },
    rsIdemRenew: { lua: RENEW_LUA },
    rsIdemComplete: { lua: COMPLETE_LUA },
    rsIdemRelease: { lua: RELEASE_LUA, numberOfKeys: 1 },
    rsIdemRecordSeq: { lua: RECORD_SEQUENCE_LUA, numberOfKeys: 1 },
  });
}
