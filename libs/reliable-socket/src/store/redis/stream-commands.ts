import type { RedisClient } from '../../redis/redis-client.js';
import { ACK_LUA } from './ack.lua.js';
import { APPEND_LUA } from './append.lua.js';
import { READ_LUA } from './read.lua.js';
import { RECORD_JOIN_LUA } from './record-join.lua.js';

type Argument = string | number;

/** The store's Lua scripts as commands of its connection. Prefixed so they cannot shadow the application's. */
export interface StreamCommands {
  /** Takes its key count first: idempotency keys are optional. Replies epoch, then offset and duplicate flag per message. */
  rsStreamAppend(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<[epoch: string, ...offsetsAndFlags: number[]]>;
  rsStreamRead(...keysAndArguments: Argument[]): Promise<[epoch: string, first: number, head: number, ...entries: Argument[]]>;
  rsStreamAck(...keysAndArguments: Argument[]): Promise<number>;
  rsRecordJoin(...keysAndArguments: Argument[]): Promise<number>;
}

/**
 * Registers the scripts on `client`. `defineCommand` sends EVALSHA and falls back to EVAL on NOSCRIPT
 * (after a failover or SCRIPT FLUSH), so each call stays one round trip without loading scripts up front.
 * Registering again on the same connection (a second store) just replaces identical definitions.
 */
export function defineStreamCommands(client: RedisClient): StreamCommands {
  client.defineCommand('rsStreamAppend', { lua: APPEND_LUA });
  client.defineCommand('rsStreamRead', { lua: READ_LUA, numberOfKeys: 2 });
  client.defineCommand('rsStreamAck', { lua: ACK_LUA, numberOfKeys: 1 });
  client.defineCommand('rsRecordJoin', { lua: RECORD_JOIN_LUA, numberOfKeys: 1 });
  return client as unknown as StreamCommands;
}
