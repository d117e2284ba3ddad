import type { RedisClient } from '../../redis/redis-client.js';
import { defineLuaCommands } from '../../redis/lua-commands.js';
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

/** The scripts as calls over `client` (see {@link defineLuaCommands}: one round trip each, nothing loaded up front). */
export function defineStreamCommands(client: RedisClient): StreamCommands {
  return defineLuaCommands<StreamCommands>(client, {
    rsStreamAppend: { lua: APPEND_LUA },
    rsStreamRead: { lua: READ_LUA, numberOfKeys: 2 },
    rsStreamAck: { lua: ACK_LUA, numberOfKeys: 1 },
    rsRecordJoin: { lua: RECORD_JOIN_LUA, numberOfKeys: 1 },
  });
}
