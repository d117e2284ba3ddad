import type { RedisClient } from '../../redis/redis-client.js';
import { defineLuaCommands } from '../../redis/lua-commands.js';
import { COMPLETE_THEN_CLAIM_LUA } from './complete-then-claim.lua.js';
import { RECORD_SEQUENCE_LUA } from './record-sequence.lua.js';
import { RELEASE_LUA } from './release.lua.js';
import { RENEW_LUA } from './renew.lua.js';

type Argument = string | number;

export type RawClaimOutcome = ['done', string] | ['busy', number] | ['claimed'];

/** The idempotency store's Lua scripts as commands of its connection, prefixed apart from the stream store's. */
export interface IdempotencyCommands {
  /**
   * The batch scripts take their key count first (as `rsStreamAppend`). Completions: per key, the earlier
   * reply JSON or the 1-based index of the entry whose reply was recorded; claims: per key, the outcome.
   */
  rsIdemCompleteThenClaim(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<[completions: Array<string | number>, claims: RawClaimOutcome[]]>;
  rsIdemRenew(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<Array<0 | 1>>;
  rsIdemRelease(key: string, token: string): Promise<0 | 1>;
  rsIdemRecordSeq(...keysAndArguments: Argument[]): Promise<null>;
}

/** The scripts as calls over `client` (see {@link defineLuaCommands}: one round trip each). */
export function defineIdempotencyCommands(client: RedisClient): IdempotencyCommands {
  return defineLuaCommands<IdempotencyCommands>(client, {
    rsIdemCompleteThenClaim: { lua: COMPLETE_THEN_CLAIM_LUA },
    rsIdemRenew: { lua: RENEW_LUA },
    rsIdemRelease: { lua: RELEASE_LUA, numberOfKeys: 1 },
    rsIdemRecordSeq: { lua: RECORD_SEQUENCE_LUA, numberOfKeys: 1 },
  });
}
