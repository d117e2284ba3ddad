import { streamTag } from '../../store/redis/stream-keys.js';

/**
 * Key names of the Redis presence store. Every key of a namespace carries the one hash tag
 * `{<ns>|presence}` (the stream store's tag builder with a pseudo-stream name no real stream can have:
 * those all start with `user:` or `room:`), so every script works inside one Redis Cluster slot and
 * names all its keys up front. Per namespace, whatever the number of users:
 *
 * - `<prefix>{ns|presence}:conns` — ZSET of connections scored by expiry (ms, Redis clock); member
 *   `["<userId>","<connectionId>"]` (JSON: no separator inside an id can make two pairs collide).
 *   Counts live connections and finds the expired ones for the sweep.
 * - `<prefix>{ns|presence}:users` — ZSET of users scored by their latest connection expiry: the user is
 *   online while that score is in the future, so expired connections stop counting before any sweep.
 * - `<prefix>{ns|presence}:names` — ZSET of the same user ids, all scored 0, for `BYLEX` paging.
 * - `<prefix>{ns|presence}:state` — hash userId → `{"f": fence, "c": {connectionId: expiry}}`, the
 *   record the scripts decide from (is another connection of the user live?) and rebuild the scores from.
 * - `<prefix>{ns|presence}:seq` — the namespace's fence sequence (INCR per connect). A user's fences
 *   are drawn from it, so they grow across its offline periods without keeping anything per offline
 *   user; it is the one key that outlives the namespace's last connection.
 * - channel `<prefix>presence` — one JSON `PresenceEvent` per join or leave, published by the script.
 *
 * A connection costs one `conns` member and one entry in its user's `state` record; an online user one
 * member in `users`, `names` and `state`. Everything but `seq` is removed with the last connection.
 */
export class PresenceKeys {
  readonly channel: string;

  constructor(private readonly prefix: string) {
    // A brace in the prefix would become the hash tag of every key and put all namespaces in one slot.
    if (/[{}]/.test(prefix)) throw new RangeError(`keyPrefix must not contain "{" or "}", got ${JSON.stringify(prefix)}`);
    this.channel = `${prefix}presence`;
  }

  /** The keys of the mutating scripts, in their `KEYS` order: conns, users, names, state, seq. */
  record(namespace: string): string[] {
    return ['conns', 'users', 'names', 'state', 'seq'].map((name) => this.key(namespace, name));
  }

  conns(namespace: string): string {
    return this.key(namespace, 'conns');
  }

  users(namespace: string): string {
    return this.key(namespace, 'users');
  }

  names(namespace: string): string {
    return this.key(namespace, 'names');
  }

  private key(namespace: string, name: string): string {
    return `${this.prefix}${streamTag(namespace, 'presence')}:${name}`;
  }
}
