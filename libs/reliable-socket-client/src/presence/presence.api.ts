import type { PresenceEnvelope } from '../protocol.js';
import type { Listener } from '../lifecycle/lifecycle.emitter.js';

/** One member of a followed room, as the server lists it on subscription. */
export interface PresenceMember {
  userId: string;
  online: boolean;
}

/** Signals of `client.presence`, by name. */
export interface PresenceEvents {
  /** A member of a followed room came online (`join`) or went offline (`leave`). Stale events are dropped. */
  change: PresenceEnvelope;
  /**
   * The full member list of a followed room, after every successful subscription: the first one and
   * each automatic one after a reconnect (changes made while disconnected are not replayed: start over from this).
   */
  members: { room: string; members: PresenceMember[] };
}

/**
 * `client.presence`: who of a room's members is online. Followed rooms are kept in memory and
 * subscribed again after every reconnect, until unsubscribed.
 *
 * @example
 * client.presence.on('members', ({ room, members }) => render(room, members));
 * client.presence.on('change', ({ room, userId, type }) => mark(room, userId, type === 'join'));
 * const members = await client.presence.subscribe('lobby');
 * // later
 * await client.presence.unsubscribe('lobby');
 */
export interface PresenceApi {
  /**
   * Follows `room`'s presence; resolves with its members once the server accepted. Called while not
   * connected (right after construction, while reconnecting, before `connect()`, after `replaced`), it
   * waits for the next connection. Rejects with a `ReliableError`: the server's refusal (`FORBIDDEN`…,
   * the room is then no longer followed), `TIMEOUT`, `UNAVAILABLE` or `INTERNAL` from the server (still
   * followed: subscribed again on the next connection), `UNAVAILABLE` also when the client was closed
   * first (still followed if it connects again), `CANCELLED` (unsubscribed meanwhile) or `BAD_REQUEST`
   * (not a room name).
   */
  subscribe(room: string): Promise<PresenceMember[]>;
  /**
   * Stops following `room`: its events are no longer delivered, at once. Resolves once the server
   * acknowledged (at once when not connected); rejects with the server's code or `TIMEOUT`.
   */
  unsubscribe(room: string): Promise<void>;
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof PresenceEvents>(name: K, listener: Listener<PresenceEvents[K]>): () => void;
  off<K extends keyof PresenceEvents>(name: K, listener: Listener<PresenceEvents[K]>): void;
  /** The followed rooms. */
  rooms(): string[];
}
