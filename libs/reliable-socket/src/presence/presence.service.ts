import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { StreamStore } from '../store/stream.store.js';
import { PresenceStore, type PresenceEvent, type PresencePage } from './presence.store.js';

/** One member of a room and whether it is online. */
export interface RoomMember {
  userId: string;
  online: boolean;
}

/**
 * Who is online, across every node of the cluster. A user is online while any of its connections to a
 * gateway namespace is; a crashed node's users go offline within `presence.ttlMs`. Methods that take an
 * optional namespace default to the one `ReliableEmitter` uses (the only gateway namespace, or the
 * `defaultNamespace` option).
 *
 * @example
 * constructor(private readonly presence: PresenceService) {}
 *
 * if (!(await this.presence.isOnline('bob'))) await this.push.notify('bob', 'You have a new message');
 * const { users } = await this.presence.count('/chat');
 * this.presence.changes$.subscribe(({ type, userId }) => this.audit.log(`${userId} ${type}`));
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  /**
   * Every join (a user's first live connection in a namespace) and leave (its last one gone), recorded by
   * any node, as they happen. Hot: a subscriber gets the changes from the moment it subscribes.
   * `fence` grows per user: of two events about one user, the one with the lower fence is the older.
   *
   * @example
   * presence.changes$.pipe(filter((event) => event.namespace === '/chat')).subscribe((event) => metrics.track(event));
   */
  readonly changes$: Observable<PresenceEvent>;
  private readonly changes = new Subject<PresenceEvent>();
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(PresenceStore) private readonly store: PresenceStore,
    @Inject(StreamStore) private readonly streams: StreamStore,
    private readonly registry: NamespaceRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
  ) {
    this.changes$ = this.changes.asObservable();
    this.unsubscribe = store.onChange((event) => this.changes.next(event));
  }

  /**
   * Whether the user has a live connection in the namespace.
   *
   * @example
   * if (await presence.isOnline('bob', '/chat')) { ... }
   */
  isOnline(userId: string, namespace?: string): Promise<boolean> {
    return this.store.isOnline(this.namespaceOr(namespace), userId);
  }

  /**
   * Live connections and distinct online users in the namespace.
   *
   * @example
   * const { connections, users } = await presence.count('/chat');
   */
  count(namespace?: string): Promise<{ connections: number; users: number }> {
    return this.store.count(this.namespaceOr(namespace));
  }

  /**
   * One page of online users, in user-id order. Pass the returned `cursor` back for the next page; it is
   * absent on the last one. Users that come or go meanwhile may or may not appear, as with any paging.
   *
   * @example
   * let cursor: string | undefined;
   * do {
   *   const page = await presence.onlineUsers('/chat', { cursor, limit: 100 });
   *   render(page.users);
   *   cursor = page.cursor;
   * } while (cursor);
   */
  onlineUsers(namespace: string, page: { cursor?: string; limit: number }): Promise<PresencePage> {
    return this.store.onlineUsers(namespace, page);
  }

  /**
   * The members of a room (as joined with `ReliableEmitter.join`) with their presence, in user-id order.
   *
   * @example
   * const members = await presence.roomMembers('lobby'); // [{ userId: 'alice', online: true }, …]
   */
  async roomMembers(room: string, namespace?: string): Promise<RoomMember[]> {
    const name = this.namespaceOr(namespace);
    const userIds = (await this.streams.membersOf(name, room)).sort();
    const online = await this.store.online(name, userIds);
    return userIds.map((userId, index) => ({ userId, online: online[index] }));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    this.changes.complete();
  }

  private namespaceOr(namespace: string | undefined): string {
    return namespace ?? this.registry.defaultName(this.options.defaultNamespace);
  }
}
