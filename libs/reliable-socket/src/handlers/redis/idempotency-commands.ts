import type { RedisClient } from '../../redis/redis-client.js';
import { defineLuaCommands } from '../../redis/lua-commands.js';
import { COMPLETE_THEN_CLAIM_LUA } from './complete-then-claim.lua.js';
import { RECORD_SEQUENCE_LUA } from './record-sequence.lua.js';
import { RELEASE_LUA } from './release.lua.js';
import { RENEW_LUA } from './renew.lua.js';

type Argument = string | number;

/** What the turn script says of one key: `0`, a reply's JSON, a lease's ms left (claim found busy) or `-n` (completion: entry n's reply). */
export type RawOutcome = string | number;

/** The idempotency store's Lua scripts as commands of its connection, prefixed apart from the stream store's. */
export interface IdempotencyCommands {
  /** The batch scripts take their key count first (as `rsStreamAppend`). One outcome per key (see the script). */
  rsIdemCompleteThenClaim(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<RawOutcome[]>;
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
