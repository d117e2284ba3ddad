import type { RedisClient } from '../redis/redis-client.js';
import { defineLuaCommands } from '../redis/lua-commands.js';
import { StreamName } from '@reliable-socket/client/protocol';
import { streamTag } from '../store/redis/stream-keys.js';
import { CLAIM_SESSION_LUA, REFRESH_SESSION_LUA, RELEASE_SESSION_LUA } from './redis/session.lua.js';
import type { ConflictMode, HeldSession, SessionCandidate, SessionClaim, SessionRegistry } from './session.registry.js';

/** The fence counter outlives sessions so fences keep growing across reconnects; 30 days of inactivity resets it. */
const FENCE_TTL_MS = 30 * 24 * 3_600_000;

interface SessionCommands {
  rsSessionClaim(holderKey: string, fenceKey: string, sessionId: string, mode: string, ttlMs: number, fenceTtlMs: number): Promise<[number, number | string, number?]>;
  rsSessionRefresh(holderKey: string, fence: number, ttlMs: number, sessionId: string): Promise<number>;
  rsSessionRelease(holderKey: string, fence: number): Promise<number>;
}

/**
 * {@link SessionRegistry} on Redis. A user's session keys carry the user's hash tag, the same slot as its
 * stream, so each script stays in one slot on Redis Cluster. One round trip per operation.
 */
export class RedisSessionRegistry implements SessionRegistry {
  private readonly commands: SessionCommands;

  constructor(private readonly options: { client: RedisClient; keyPrefix: string }) {
    this.commands = defineLuaCommands<SessionCommands>(options.client, {
      rsSessionClaim: { lua: CLAIM_SESSION_LUA, numberOfKeys: 2 },
      rsSessionRefresh: { lua: REFRESH_SESSION_LUA, numberOfKeys: 1 },
      rsSessionRelease: { lua: RELEASE_SESSION_LUA, numberOfKeys: 1 },
    });
  }

  async claim(candidate: SessionCandidate, mode: ConflictMode, ttlMs: number): Promise<SessionClaim> {
    const base = this.base(candidate.namespace, candidate.userId);
    const [granted, value, replaced] = await this.commands.rsSessionClaim(`${base}:session`, `${base}:session-fence`, candidate.sessionId, mode, ttlMs, FENCE_TTL_MS);
    return granted === 1 ? { granted: true, fence: Number(value), replaced: replaced === 1 } : { granted: false, holderSessionId: String(value) };
  }

  async holds(session: HeldSession): Promise<boolean> {
    const fence = await this.options.client.hget(`${this.base(session.namespace, session.userId)}:session`, 'fence');
    return fence === String(session.fence);
  }

  async refresh(sessions: HeldSession[], ttlMs: number): Promise<boolean[]> {
    // One script per user: users live in different slots. Auto-pipelining sends them together.
    const held = await Promise.all(
      sessions.map((session) => this.commands.rsSessionRefresh(`${this.base(session.namespace, session.userId)}:session`, session.fence, ttlMs, session.sessionId ?? '')),
    );
    return held.map((value) => value === 1);
  }

  async release(session: HeldSession): Promise<void> {
    await this.commands.rsSessionRelease(`${this.base(session.namespace, session.userId)}:session`, session.fence);
  }

  private base(namespace: string, userId: string): string {
    return `${this.options.keyPrefix}${streamTag(namespace, StreamName.user(userId))}`;
  }
}
