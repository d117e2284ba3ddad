import { assertDurationMs, assertPageLimit } from './presence-limits.policy.js';
import { createPresenceListenerSet } from './presence-listener.set.js';
import type { PresenceConnection, PresenceEvent, PresenceListener, PresencePage, PresenceStore } from './presence.store.js';

export interface MemoryPresenceStoreOptions {
  /** Clock in ms; injectable so tests can expire connections without waiting. */
  now?: () => number;
}

/** Mirrors the Redis `state` record: the highest fence and connectionId → expiry. */
interface UserRecord {
  fence: number;
  connections: Map<string, number>;
}

interface NamespaceRecord {
  users: Map<string, UserRecord>;
  /**
   * Fences are drawn from one sequence per namespace, as in Redis (see `redis/presence-keys.ts`). It is
   * why a namespace record is kept once its last user left: fences must keep growing.
   */
  sequence: number;
}

/** Redis orders `BYLEX` pages by UTF-8 bytes; JS compares UTF-16 units, which differ past U+FFFF. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

const latestExpiry = (user: UserRecord): number => Math.max(...user.connections.values());

/**
 * {@link PresenceStore} held in this process, for a single node (and tests). Every method runs to
 * completion without awaiting, so each one is atomic, and behaves like `RedisPresenceStore`: the same
 * settle-then-apply steps, the same fences, the same byte order of user ids. Events are delivered to the
 * listeners synchronously, before the call that caused them resolves.
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly namespaces = new Map<string, NamespaceRecord>();
  private readonly listeners = createPresenceListenerSet();
  private readonly now: () => number;

  constructor(options: MemoryPresenceStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async connect(connection: PresenceConnection, ttlMs: number): Promise<{ fence: number; joined: boolean }> {
    assertDurationMs('ttlMs', ttlMs);
    const now = this.now();
    const space = this.space(connection.namespace);
    const { user, joined } = this.settleOrCreate(space, connection, now);
    const fence = this.record(space, user, connection.connectionId, now + ttlMs);
    if (joined) this.publish('join', connection.namespace, connection.userId, fence, now);
    return { fence, joined };
  }

  async disconnect(connection: PresenceConnection): Promise<{ left: boolean }> {
    const now = this.now();
    const space = this.namespaces.get(connection.namespace);
    if (!space) return { left: false };
    const { user, left } = this.settle(space, connection.namespace, connection.userId, now);
    if (!user || !user.connections.delete(connection.connectionId)) return { left };
    if (user.connections.size > 0) return { left: false };
    this.forget(space, connection.namespace, connection.userId, user, now);
    return { left: true };
  }

  /** Like the Redis script: a connection the store no longer holds is recorded again (see `redis/heartbeat.lua.ts`). */
  async heartbeat(connections: PresenceConnection[], ttlMs: number): Promise<void> {
    assertDurationMs('ttlMs', ttlMs);
    const now = this.now();
    const joins: Array<[PresenceConnection, UserRecord]> = [];
    for (const connection of connections) {
      const space = this.space(connection.namespace);
      const { user, joined } = this.settleOrCreate(space, connection, now);
      if (user.connections.has(connection.connectionId)) user.connections.set(connection.connectionId, now + ttlMs);
      else this.record(space, user, connection.connectionId, now + ttlMs);
      if (joined) joins.push([connection, user]);
    }
    // Once the user's connections in the batch are recorded, as the script does: a join carries the
    // fence of the user's last restored connection.
    for (const [{ namespace, userId }, user] of joins) this.publish('join', namespace, userId, user.fence, now);
  }

  async sweep(namespace: string): Promise<number> {
    const now = this.now();
    const space = this.namespaces.get(namespace);
    if (!space) return 0;
    let removed = 0;
    for (const [userId, user] of space.users) {
      const before = user.connections.size;
      this.settle(space, namespace, userId, now);
      removed += before - user.connections.size;
    }
    return removed;
  }

  async isOnline(namespace: string, userId: string): Promise<boolean> {
    const [online] = await this.online(namespace, [userId]);
    return online;
  }

  async count(namespace: string): Promise<{ connections: number; users: number }> {
    const now = this.now();
    let connections = 0;
    let users = 0;
    for (const user of this.namespaces.get(namespace)?.users.values() ?? []) {
      let live = 0;
      for (const expiry of user.connections.values()) if (expiry > now) live += 1;
      connections += live;
      if (live > 0) users += 1;
    }
    return { connections, users };
  }

  async onlineUsers(namespace: string, page: { cursor?: string; limit: number }): Promise<PresencePage> {
    assertPageLimit(page.limit);
    const now = this.now();
    const after = page.cursor;
    const users = [...(this.namespaces.get(namespace)?.users ?? [])]
      .filter(([userId, user]) => latestExpiry(user) > now && (after === undefined || byteOrder(userId, after) > 0))
      .map(([userId]) => userId)
      .sort(byteOrder);
    if (users.length <= page.limit) return { users };
    const full = users.slice(0, page.limit);
    return { users: full, cursor: full[full.length - 1] };
  }

  async online(namespace: string, userIds: string[]): Promise<boolean[]> {
    const now = this.now();
    const users = this.namespaces.get(namespace)?.users;
    return userIds.map((userId) => {
      const user = users?.get(userId);
      return user !== undefined && latestExpiry(user) > now;
    });
  }

  onChange(listener: PresenceListener): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private space(namespace: string): NamespaceRecord {
    let space = this.namespaces.get(namespace);
    if (!space) this.namespaces.set(namespace, (space = { users: new Map(), sequence: 0 }));
    return space;
  }

  /**
   * Drops the user's expired connections. Returns its record when a live connection remains; otherwise
   * the user is forgotten, and `left` tells whether this call published its leave.
   */
  private settle(space: NamespaceRecord, namespace: string, userId: string, now: number): { user?: UserRecord; left: boolean } {
    const user = space.users.get(userId);
    if (!user) return { left: false };
    for (const [connectionId, expiry] of user.connections) if (expiry <= now) user.connections.delete(connectionId);
    if (user.connections.size > 0) return { user, left: false };
    this.forget(space, namespace, userId, user, now);
    return { left: true };
  }

  /** The user's settled record, or a new empty one (`joined`: the user had no live connection). */
  private settleOrCreate(space: NamespaceRecord, connection: PresenceConnection, now: number): { user: UserRecord; joined: boolean } {
    const { user } = this.settle(space, connection.namespace, connection.userId, now);
    if (user) return { user, joined: false };
    const created: UserRecord = { fence: 0, connections: new Map() };
    space.users.set(connection.userId, created);
    return { user: created, joined: true };
  }

  private record(space: NamespaceRecord, user: UserRecord, connectionId: string, expiry: number): number {
    user.fence = ++space.sequence;
    user.connections.set(connectionId, expiry);
    return user.fence;
  }

  /** Removes the user and announces it offline with the highest fence it had. */
  private forget(space: NamespaceRecord, namespace: string, userId: string, user: UserRecord, now: number): void {
    space.users.delete(userId);
    this.publish('leave', namespace, userId, user.fence, now);
  }

  private publish(type: PresenceEvent['type'], namespace: string, userId: string, fence: number, at: number): void {
    this.listeners.notify({ type, namespace, userId, fence, at });
  }
}
