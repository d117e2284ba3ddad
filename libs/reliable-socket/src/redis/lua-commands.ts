import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

/** One Lua script of a store. */
export interface LuaCommandDefinition {
  lua: string;
  /** The script's fixed key count; absent, the caller passes the count as the first argument. */
  numberOfKeys?: number;
}

type ScriptArgument = string | number | Buffer;
type ScriptCaller = (...args: ScriptArgument[]) => Promise<unknown>;
interface ScriptingClient {
  evalsha(...args: ScriptArgument[]): Promise<unknown>;
  eval(...args: ScriptArgument[]): Promise<unknown>;
}

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

function scriptCaller(client: ScriptingClient, { lua, numberOfKeys }: LuaCommandDefinition): ScriptCaller {
  const sha = createHash('sha1').update(lua).digest('hex');
  return (...args) => {
    const keysAndArguments = numberOfKeys === undefined ? args : [numberOfKeys, ...args];
    return client.evalsha(sha, ...keysAndArguments).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return client.eval(lua, ...keysAndArguments);
    });
  };
}

/**
 * A store's Lua scripts as methods of one object, each one round trip: EVALSHA, and EVAL once when Redis
 * does not know the script yet (first use, after a failover or a SCRIPT FLUSH). Calls go through the
 * client's auto-pipelining like any command, and each targets its first key's node on Redis Cluster.
 *
 * Not ioredis' `defineCommand`: that one copies every script defined on a connection onto each pipeline
 * it creates, and auto-pipelining creates one per event-loop turn, so with the library's thirty scripts
 * the copying cost more CPU than the commands it carried.
 *
 * @example
 * const commands = defineLuaCommands<{ rsIdemRenew(count: number, ...keysAndArgs: Array<string | number>): Promise<Array<0 | 1>> }>(client, {
 *   rsIdemRenew: { lua: RENEW_LUA },
 * });
 * await commands.rsIdemRenew(2, keyA, keyB, leaseMs, tokenA, tokenB);
 */
export function defineLuaCommands<T extends object>(client: RedisClient, definitions: Record<keyof T & string, LuaCommandDefinition>): T {
  const scripting = client as unknown as ScriptingClient;
  const entries = Object.entries<LuaCommandDefinition>(definitions).map(([name, definition]) => [name, scriptCaller(scripting, definition)]);
  return Object.fromEntries(entries) as T;
}
