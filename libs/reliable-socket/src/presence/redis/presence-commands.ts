import type { RedisClient } from '../../redis/redis-client.js';
import { defineLuaCommands } from '../../redis/lua-commands.js';
import { CONNECT_LUA } from './connect.lua.js';
import { DISCONNECT_LUA } from './disconnect.lua.js';
import { HEARTBEAT_LUA } from './heartbeat.lua.js';
import { COUNT_LUA, ONLINE_LUA, ONLINE_PAGE_LUA } from './presence-reads.lua.js';
import { SWEEP_LUA } from './sweep.lua.js';

type Argument = string | number;

/** The presence store's Lua scripts as commands of its connection, prefixed apart from the other stores'. */
export interface PresenceCommands {
  rsPresenceConnect(...keysAndArguments: Argument[]): Promise<[fence: number, joined: 0 | 1]>;
  rsPresenceDisconnect(...keysAndArguments: Argument[]): Promise<0 | 1>;
  rsPresenceHeartbeat(...keysAndArguments: Argument[]): Promise<number>;
  rsPresenceSweep(...keysAndArguments: Argument[]): Promise<[removed: number, more: 0 | 1]>;
  rsPresenceCount(...keysAndArguments: Argument[]): Promise<[connections: number, users: number]>;
  rsPresenceOnline(...keysAndArguments: Argument[]): Promise<(0 | 1)[]>;
  rsPresencePage(...keysAndArguments: Argument[]): Promise<string[]>;
}

/** The scripts as calls over `client` (see {@link defineLuaCommands}: one round trip each). */
export function definePresenceCommands(client: RedisClient): PresenceCommands {
  return defineLuaCommands<PresenceCommands>(client, {
    rsPresenceConnect: { lua: CONNECT_LUA, numberOfKeys: 5 },
    rsPresenceDisconnect: { lua: DISCONNECT_LUA, numberOfKeys: 5 },
    rsPresenceHeartbeat: { lua: HEARTBEAT_LUA, numberOfKeys: 5 },
    rsPresenceSweep: { lua: SWEEP_LUA, numberOfKeys: 5 },
    rsPresenceCount: { lua: COUNT_LUA, numberOfKeys: 2 },
    rsPresenceOnline: { lua: ONLINE_LUA, numberOfKeys: 1 },
    rsPresencePage: { lua: ONLINE_PAGE_LUA, numberOfKeys: 2 },
  });
}
