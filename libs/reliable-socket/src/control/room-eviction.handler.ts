import { Inject, Injectable } from '@nestjs/common';
import { StreamName } from '@reliable-socket/client/protocol';
import { ReliableEmitter } from '../delivery/reliable.emitter.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { streamRoom } from '../reliable-socket.constants.js';
import { StreamStore } from '../store/stream.store.js';
import type { ClearRoomsRequest, ControlPayload, RemoveFromRoomRequest, RemoveFromRoomResult, ClearRoomsResult } from './control.contract.js';

/**
 * Executes `removeFromRoom` and `clearRooms`. Leaving goes through `ReliableEmitter.leave`: the stored
 * membership ends (no replay of the room after a reconnect) and the user's sockets on every node leave
 * the room's live Socket.IO room.
 */
@Injectable()
export class RoomEvictionHandler {
  constructor(
    private readonly emitter: ReliableEmitter,
    private readonly registry: NamespaceRegistry,
    @Inject(StreamStore) private readonly store: StreamStore,
  ) {}

  /**
   * @example
   * await handler.removeFromRoom({ requestId, namespace: '/chat', userId: 'bob', room: 'lobby' }); // { wasMember: true }
   */
  async removeFromRoom(command: ControlPayload<RemoveFromRoomRequest>): Promise<RemoveFromRoomResult> {
    const wasMember = (await this.store.roomsOf(command.namespace, command.userId)).has(command.room);
    await this.emitter.of(command.namespace).leave(command.userId, command.room);
    return { wasMember };
  }

  /**
   * @example
   * await handler.clearRooms({ requestId, namespace: '/chat', rooms: ['lobby', 'ops'] }); // { removed: { lobby: 12, ops: 0 } }
   */
  async clearRooms(command: ControlPayload<ClearRoomsRequest>): Promise<ClearRoomsResult> {
    const target = this.emitter.of(command.namespace);
    const namespace = this.registry.get(command.namespace);
    const removed: Record<string, number> = {};
    for (const room of new Set(command.rooms)) {
      const members = await this.store.membersOf(command.namespace, room);
      await Promise.all(members.map((userId) => target.leave(userId, room)));
      // A socket the application put in the live room itself (socket.join) has no stored membership: it leaves too.
      const live = streamRoom(StreamName.room(room));
      namespace.in(live).socketsLeave(live);
      removed[room] = members.length;
    }
    return { removed };
  }
}
