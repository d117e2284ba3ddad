import type { Redis } from 'ioredis';
import { CLAIM_LUA } from './claim.lua.js';
import { COMPLETE_LUA } from './complete.lua.js';
import { RECORD_SEQUENCE_LUA } from './record-sequence.lua.js';
import { RENEW_LUA } from './renew.lua.js';

type Argument = string | number;

/** The idempotency store's Lua scripts as commands of its connection, prefixed apart from the stream store's. */
export interface IdempotencyCommands {
  rsIdemClaim(...keysAndArguments: Argument[]): Promise<['done', string] | ['busy', number] | ['claimed']>;
  rsIdemRenew(...keysAndArguments: Argument[]): Promise<0 | 1>;
  rsIdemComplete(...keysAndArguments: Argument[]): Promise<string | null>;
  rsIdemRecordSeq(...keysAndArguments: Argument[]): Promise<null>;
}

/**
 * Registers the scripts on `client`. As for the stream store (`store/redis/stream-commands.ts`),
 * `defineCommand` sends EVALSHA and falls back to EVAL on NOSCRIPT, so each call is one round trip.
 */
export function defineIdempotencyCommands(client: Redis): IdempotencyCommands {
  client.defineCommand('rsIdemClaim', { lua: CLAIM_LUA, numberOfKeys: 1 });
  client.defineCommand('rsIdemRenew', { lua: RENEW_LUA, numberOfKeys: 1 });
  client.defineCommand('rsIdemComplete', { lua: COMPLETE_LUA, numberOfKeys: 1 });
  client.defineCommand('rsIdemRecordSeq', { lua: RECORD_SEQUENCE_LUA, numberOfKeys: 1 });
  return client as unknown as IdempotencyCommands;
}
