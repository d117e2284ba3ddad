import type { ConflictMode, HeldSession, SessionCandidate, SessionClaim, SessionRegistry } from './session.registry.js';

interface Holder {
  sessionId: string;
  fence: number;
  expiresAt: number;
}

const userKey = (namespace: string, userId: string): string => JSON.stringify([namespace, userId]);

/** {@link SessionRegistry} for a single process. */
export class MemorySessionRegistry implements SessionRegistry {
  private readonly holders = new Map<string, Holder>();
  private readonly fences = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(candidate: SessionCandidate, mode: ConflictMode, ttlMs: number): Promise<SessionClaim> {
    const key = userKey(candidate.namespace, candidate.userId);
    const holder = this.live(key);
    if (mode === 'reject' && holder && holder.sessionId !== candidate.sessionId) {
      return { granted: false, holderSessionId: holder.sessionId };
    }
    const fence = (this.fences.get(key) ?? 0) + 1;
    this.fences.set(key, fence);
    this.holders.set(key, { sessionId: candidate.sessionId, fence, expiresAt: this.now() + ttlMs });
    return { granted: true, fence, replaced: holder !== undefined };
  }

  async holds(session: HeldSession): Promise<boolean> {
    return this.live(userKey(session.namespace, session.userId))?.fence === session.fence;
  }

  async refresh(sessions: HeldSession[], ttlMs: number): Promise<boolean[]> {
    return sessions.map((session) => {
      const key = userKey(session.namespace, session.userId);
      const holder = this.live(key);
      if (!holder && session.sessionId !== undefined) {
        this.holders.set(key, { sessionId: session.sessionId, fence: session.fence, expiresAt: this.now() + ttlMs });
        return true;
      }
      if (holder?.fence !== session.fence) return false;
      holder.expiresAt = this.now() + ttlMs;
      return true;
    });
  }

  async release(session: HeldSession): Promise<void> {
    const key = userKey(session.namespace, session.userId);
    if (this.holders.get(key)?.fence === session.fence) this.holders.delete(key);
  }

  private live(key: string): Holder | undefined {
    const holder = this.holders.get(key);
    if (holder && holder.expiresAt <= this.now()) {
      this.holders.delete(key);
      return undefined;
    }
    return holder;
  }
}
