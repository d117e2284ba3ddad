import type { RedisClient } from '../redis/redis-client.js';
import { decodePresenceEvent } from './presence-event.codec.js';
import { assertDurationMs, assertPageLimit, HEARTBEAT_BATCH, SWEEP_BATCH } from './presence-limits.policy.js';
import { createPresenceListenerSet } from './presence-listener.set.js';
import type { PresenceConnection, PresenceListener, PresencePage, PresenceStore } from './presence.store.js';
import { definePresenceCommands, type PresenceCommands } from './redis/presence-commands.js';
import { PresenceKeys } from './redis/presence-keys.js';

export interface RedisPresenceStoreOptions {
  /** Command connection; the store's scripts are registered on it. Owned by the caller, never quit here. */
  client: RedisClient;
  /**
   * Connection dedicated to SUBSCRIBE, owned by the caller. It can be shared with the stream store: each
   * store subscribes to, handles and on close unsubscribes only its own channel. Do not share it with a
   * second presence store on the same `keyPrefix`: closing one would unsubscribe both.
   */
  subscriber: RedisClient;
  /** Prefix of every key and of the presence channel; must not contain `{` or `}`. */
  keyPrefix: string;
}

/**
 * {@link PresenceStore} on Redis, shared by every node of a cluster. Each mutation is one atomic Lua
 * script over the namespace's keys, which share one hash tag (layout in `redis/presence-keys.ts`); the
 * script publishes the resulting join or leave itself, so every node hears each change exactly once and
 * in the order Redis applied them. Expiries come from the Redis clock.
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly keys: PresenceKeys;
  private readonly commands: PresenceCommands;
  private readonly listeners = createPresenceListenerSet();
  private readonly subscribed: Promise<unknown>;
  private closed = false;

  constructor(private readonly options: RedisPresenceStoreOptions) {
    if (options.subscriber === options.client) throw new RangeError('subscriber must be a connection separate from client');
    this.keys = new PresenceKeys(options.keyPrefix);
    this.commands = definePresenceCommands(options.client);
    options.subscriber.on('message', this.dispatch);
    // Subscribed from the start, not on the first onChange: events of the first connects must not be missed.
    this.subscribed = options.subscriber.subscribe(this.keys.channel);
    this.subscribed.catch(() => undefined); // reported by ready(), not as an unhandled rejection
  }

  /** Resolves once the store hears events (its subscription is active). */
  async ready(): Promise<void> {
    await this.subscribed;
  }

  async connect(connection: PresenceConnection, ttlMs: number): Promise<{ fence: number; joined: boolean }> {
    assertDurationMs('ttlMs', ttlMs);
    const { namespace, userId, connectionId } = connection;
    const [fence, joined] = await this.commands.rsPresenceConnect(
      ...this.keys.record(namespace), this.keys.channel, namespace, userId, connectionId, ttlMs,
    );
    return { fence, joined: joined === 1 };
  }

  async disconnect(connection: PresenceConnection): Promise<{ left: boolean }> {
    const { namespace, userId, connectionId } = connection;
    const left = await this.commands.rsPresenceDisconnect(...this.keys.record(namespace), this.keys.channel, namespace, userId, connectionId);
    return { left: left === 1 };
  }

  /** One script per namespace (and per {@link HEARTBEAT_BATCH} connections), all sent before the first reply. */
  async heartbeat(connections: PresenceConnection[], ttlMs: number): Promise<void> {
    assertDurationMs('ttlMs', ttlMs);
    const byNamespace = new Map<string, string[]>();
    for (const { namespace, userId, connectionId } of connections) {
      const pairs = byNamespace.get(namespace) ?? [];
      pairs.push(userId, connectionId);
      byNamespace.set(namespace, pairs);
    }
    const calls: Promise<number>[] = [];
    for (const [namespace, pairs] of byNamespace) {
      for (let start = 0; start < pairs.length; start += 2 * HEARTBEAT_BATCH) {
        const batch = pairs.slice(start, start + 2 * HEARTBEAT_BATCH);
        calls.push(this.commands.rsPresenceHeartbeat(...this.keys.record(namespace), this.keys.channel, namespace, ttlMs, ...batch));
      }
    }
    await Promise.all(calls);
  }

  async sweep(namespace: string): Promise<number> {
    let total = 0;
    // Bounded: a script that finds a full batch removes at least that many, so the expired ones run out.
    for (;;) {
      const [removed, more] = await this.commands.rsPresenceSweep(...this.keys.record(namespace), this.keys.channel, namespace, SWEEP_BATCH);
      total += removed;
      if (more === 0) return total;
    }
  }

  async isOnline(namespace: string, userId: string): Promise<boolean> {
    const [online] = await this.online(namespace, [userId]);
    return online;
  }

  async count(namespace: string): Promise<{ connections: number; users: number }> {
    const [connections, users] = await this.commands.rsPresenceCount(this.keys.conns(namespace), this.keys.users(namespace));
    return { connections, users };
  }

  async onlineUsers(namespace: string, page: { cursor?: string; limit: number }): Promise<PresencePage> {
    assertPageLimit(page.limit);
    const lower = page.cursor === undefined ? '-' : `(${page.cursor}`;
    const users = await this.commands.rsPresencePage(this.keys.names(namespace), this.keys.users(namespace), lower, page.limit);
    if (users.length <= page.limit) return { users };
    const full = users.slice(0, page.limit);
    return { users: full, cursor: full[full.length - 1] };
  }

  async online(namespace: string, userIds: string[]): Promise<boolean[]> {
    if (userIds.length === 0) return [];
    const online = await this.commands.rsPresenceOnline(this.keys.users(namespace), ...userIds);
    return online.map((flag) => flag === 1);
  }

  onChange(listener: PresenceListener): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.options.subscriber.off('message', this.dispatch);
    // The caller may already have quit the subscriber; there is nothing left to release then.
    await this.options.subscriber.unsubscribe(this.keys.channel).catch(() => undefined);
  }

  private readonly dispatch = (channel: string, message: string): void => {
    if (channel !== this.keys.channel) return;
    const event = decodePresenceEvent(message);
    if (event) this.listeners.notify(event);
  };
}
