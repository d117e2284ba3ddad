import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../interfaces/reliable-socket-options.interface.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { StreamStore } from '../store/stream.store.js';
import type { CampaignPreview, CampaignTarget } from './campaign.types.js';
import { matchesWhere } from './where.matcher.js';

/** What the audience needs of a socket, local or on another node. */
interface LiveSocket {
  data: unknown;
}

/** The authenticated user of a socket (`socket.data.user.id`); anonymous sockets have no stream to send to. */
const userIdOf = (socket: LiveSocket): string | undefined => (socket.data as { user?: Partial<AuthenticatedUser> } | undefined)?.user?.id;

/**
 * Resolves a campaign target to users. `users` and room members (from the store) are included whether
 * online or not; `where` looks at the `socket.data` of the sockets connected now, on every node
 * (`fetchSockets()` goes through the Socket.IO Redis adapter; with the memory backend it is this node).
 */
@Injectable()
export class CampaignAudience {
  constructor(
    @Inject(StreamStore) private readonly streams: StreamStore,
    private readonly registry: NamespaceRegistry,
  ) {}

  /** The distinct users the target matches now. Asks the cluster for its sockets only for a `where`. */
  async recipients(target: CampaignTarget, namespace: string): Promise<string[]> {
    const sockets = target.where ? await this.liveSockets(namespace) : [];
    return [...(await this.users(target, namespace, sockets))];
  }

  /** The distinct users the target matches now, and how many live connections (devices) they have. */
  async preview(target: CampaignTarget, namespace: string): Promise<CampaignPreview> {
    const sockets = await this.liveSockets(namespace);
    const users = await this.users(target, namespace, sockets);
    const devices = sockets.filter((socket) => users.has(userIdOf(socket) ?? '')).length;
    return { users: users.size, devices };
  }

  private async users(target: CampaignTarget, namespace: string, sockets: LiveSocket[]): Promise<Set<string>> {
    const users = new Set(target.users ?? []);
    const memberLists = await Promise.all((target.rooms ?? []).map((room) => this.streams.membersOf(namespace, room)));
    for (const members of memberLists) for (const userId of members) users.add(userId);
    if (target.where) {
      for (const socket of sockets) {
        const userId = userIdOf(socket);
        if (userId !== undefined && matchesWhere(socket.data, target.where)) users.add(userId);
      }
    }
    return users;
  }

  private liveSockets(namespace: string): Promise<LiveSocket[]> {
    return this.registry.get(namespace).fetchSockets();
  }
}
