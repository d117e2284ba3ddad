import type { Logger } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import {
  ErrorCode, WireEvent,
  type ErrorReply, type PresenceEnvelope, type PresenceSubscribeRequest,
} from '@reliable-socket/client/protocol';
import type { AuthenticatedUser, PresenceOptions } from '../interfaces/reliable-socket-options.interface.js';
import type { StreamStore } from '../store/stream.store.js';
import type { PresenceService, RoomMember } from './presence.service.js';
import type { PresenceEvent } from './presence.store.js';
import type { SocketListeners } from '../io/socket-listeners.js';

/** Socket.IO room of this node's sockets following a room's presence (`rs:presence:lobby`). */
export const presenceRoom = (room: string): string => `rs:presence:${room}`;

type SubscribeReply = { ok: true; members: RoomMember[] } | ErrorReply;
type Reply = (response: SubscribeReply | { ok: true } | ErrorReply) => void;

export interface RoomPresenceRelayDeps {
  streams: StreamStore;
  presence: PresenceService;
  canSubscribe?: PresenceOptions['canSubscribe'];
  logger: Logger;
}

function errorReply(code: ErrorReply['error']['code'], message: string): ErrorReply {
  return { error: { code, message } };
}

function isPresenceRequest(value: unknown): value is PresenceSubscribeRequest {
  const room = (value as PresenceSubscribeRequest | null)?.room;
  return typeof room === 'string' && room.length > 0;
}

/**
 * Room presence for clients: `rs:presence:subscribe` / `unsubscribe` requests, and the relay of every
 * presence change to the local sockets following a room the user is a member of. Every node hears every
 * change from the store, so each one emits only to its own sockets (`nsp.local`): one copy per follower.
 */
export class RoomPresenceRelay {
  /** Per namespace, the local sockets following at least one room: without any, a change costs no lookup. */
  private readonly followers = new Map<string, { namespace: Namespace; sockets: Set<Socket> }>();
  /**
   * Changes are relayed one after the other, in the order the store published them: a join and the
   * leave that follows carry the same fence, so a client seeing them swapped could not tell.
   */
  private queue: Promise<void> = Promise.resolve();

  /** Registered on every socket by the namespace binder; shared, so nothing is allocated per socket. */
  readonly listeners: SocketListeners;

  constructor(private readonly deps: RoomPresenceRelayDeps) {
    // An alias: the listeners' own `this` is the socket.
    const relay = this;
    this.listeners = {
      [WireEvent.PresenceSubscribe](request: unknown, reply?: Reply) {
        void relay.subscribe(this, request).then((response) => typeof reply === 'function' && reply(response));
      },
      [WireEvent.PresenceUnsubscribe](request: unknown, reply?: Reply) {
        const response = relay.unsubscribe(this, request);
        if (typeof reply === 'function') reply(response);
      },
    };
  }

  /** Forgets a socket that disconnected (Socket.IO has already removed it from its rooms). */
  detach(socket: Socket): void {
    this.unfollow(socket);
  }

  relay(event: PresenceEvent): void {
    const local = this.followers.get(event.namespace);
    if (!local) return;
    this.queue = this.queue.then(() => this.emit(local.namespace, event)).catch((error: Error) => {
      this.deps.logger.warn(`presence change of ${event.userId} on ${event.namespace} not relayed: ${error.message}`);
    });
  }

  private async emit(namespace: Namespace, event: PresenceEvent): Promise<void> {
    const rooms = await this.deps.streams.roomsOf(event.namespace, event.userId);
    for (const room of rooms.keys()) {
      const envelope: PresenceEnvelope = { room, userId: event.userId, type: event.type, fence: event.fence };
      namespace.local.to(presenceRoom(room)).emit(WireEvent.Presence, envelope);
    }
  }

  private async subscribe(socket: Socket, request: unknown): Promise<SubscribeReply> {
    if (!isPresenceRequest(request)) return errorReply(ErrorCode.BadRequest, `${WireEvent.PresenceSubscribe} expects { room: non-empty string }`);
    const { room } = request;
    const refusal = await this.refusal(socket.data.user as AuthenticatedUser, room);
    if (refusal) return refusal;
    // Gone while the application decided: following would outlive the socket.
    if (!socket.connected) return errorReply(ErrorCode.Unavailable, 'disconnected');
    // Joined before the members are read, so no change between the two is missed.
    socket.join(presenceRoom(room));
    this.follow(socket);
    try {
      return { ok: true, members: await this.deps.presence.roomMembers(room, socket.nsp.name) };
    } catch (error) {
      this.leave(socket, room);
      this.deps.logger.warn(`presence of ${room} on ${socket.nsp.name} unavailable: ${(error as Error).message}`);
      return errorReply(ErrorCode.Unavailable, 'presence is unavailable; retry later');
    }
  }

  private unsubscribe(socket: Socket, request: unknown): { ok: true } | ErrorReply {
    if (!isPresenceRequest(request)) return errorReply(ErrorCode.BadRequest, `${WireEvent.PresenceUnsubscribe} expects { room: non-empty string }`);
    this.leave(socket, request.room);
    return { ok: true };
  }

  /** Why the user may not follow the room, or undefined when it may. No `canSubscribe` option: nobody may. */
  private async refusal(user: AuthenticatedUser, room: string): Promise<ErrorReply | undefined> {
    const { canSubscribe } = this.deps;
    try {
      if (canSubscribe && (await canSubscribe(user, room)) === true) return undefined;
    } catch (error) {
      this.deps.logger.error(`presence.canSubscribe failed for ${user.id} and ${room}`, (error as Error)?.stack);
      return errorReply(ErrorCode.Internal, 'Internal error');
    }
    return errorReply(ErrorCode.Forbidden, `not allowed to follow the presence of ${room}`);
  }

  private leave(socket: Socket, room: string): void {
    socket.leave(presenceRoom(room));
    const stillFollowing = [...socket.rooms].some((name) => name.startsWith(presenceRoom('')));
    if (!stillFollowing) this.unfollow(socket);
  }

  private follow(socket: Socket): void {
    const name = socket.nsp.name;
    const local = this.followers.get(name) ?? { namespace: socket.nsp, sockets: new Set<Socket>() };
    local.sockets.add(socket);
    this.followers.set(name, local);
  }

  private unfollow(socket: Socket): void {
    const local = this.followers.get(socket.nsp.name);
    if (!local?.sockets.delete(socket)) return;
    if (local.sockets.size === 0) this.followers.delete(socket.nsp.name);
  }
}
