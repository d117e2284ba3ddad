/** A user came online (first live connection in a namespace) or went offline (last one gone). */
export interface PresenceEvent {
  type: 'join' | 'leave';
  namespace: string;
  userId: string;
  /** Grows per user with every connection; an event with a lower fence than one already seen is stale. */
  fence: number;
  /** Server time of the change, ms since the epoch. */
  at: number;
}

/** One live connection of a user. */
export interface PresenceConnection {
  namespace: string;
  userId: string;
  connectionId: string;
}

export interface PresencePage {
  users: string[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

export type PresenceListener = (event: PresenceEvent) => void;

/**
 * Who is online, shared by every node. Each connection is an entry with an expiry that its node
 * renews by heartbeat, so the connections of a crashed node disappear within the TTL. A user is
 * online while any of its connections is, so a late disconnect of an old connection never marks a
 * reconnected user offline.
 */
export interface PresenceStore {
  /** Records a connection; `joined` when it is the user's first live one (a `join` event is published). */
  connect(connection: PresenceConnection, ttlMs: number): Promise<{ fence: number; joined: boolean }>;
  /** Removes a connection; `left` when it was the user's last live one (a `leave` event is published). */
  disconnect(connection: PresenceConnection): Promise<{ left: boolean }>;
  /** Renews the expiry of live connections (one call for all of a node's connections). */
  heartbeat(connections: PresenceConnection[], ttlMs: number): Promise<void>;
  /** Removes expired connections of a namespace (a dead node's), publishing the resulting `leave`s; returns how many. */
  sweep(namespace: string): Promise<number>;
  isOnline(namespace: string, userId: string): Promise<boolean>;
  count(namespace: string): Promise<{ connections: number; users: number }>;
  /** Online users in user-id order, paged. */
  onlineUsers(namespace: string, page: { cursor?: string; limit: number }): Promise<PresencePage>;
  /** For each user id, whether it is online. */
  online(namespace: string, userIds: string[]): Promise<boolean[]>;
  /** Presence changes recorded by any node. */
  onChange(listener: PresenceListener): () => void;
  close(): Promise<void>;
}

/** DI token for the active {@link PresenceStore}. */
export const PresenceStore = Symbol('ReliableSocket:PresenceStore');
