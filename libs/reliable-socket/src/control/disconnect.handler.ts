import { Injectable } from '@nestjs/common';
import { WireEvent, type ControlEnvelope } from '@reliable-socket/client/protocol';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { identityRoom } from '../reliable-socket.constants.js';
import type { DisconnectResult } from './control.contract.js';
import type { DisconnectCommand } from './control-commands.parser.js';

/**
 * Executes `disconnect`: kicks every connection of a user, on every node. The sockets are found and
 * addressed through the cluster adapter (`fetchSockets`, `to`, `disconnectSockets` reach all nodes),
 * never through this node's local sockets only.
 */
@Injectable()
export class DisconnectHandler {
  constructor(private readonly registry: NamespaceRegistry) {}

  /**
   * @example
   * await handler.disconnect({ requestId, namespace: '/chat', userId: 'bob', reason: 'BANNED' }); // { disconnected: 2 }
   */
  async disconnect(command: DisconnectCommand): Promise<DisconnectResult> {
    const namespace = this.registry.get(command.namespace);
    // Addressed by socket id, not by the user's room: a device connecting meanwhile is neither counted nor
    // cut off without the `kicked` signal (which would make its SDK reconnect at once).
    const socketIds = (await namespace.in(identityRoom(command.userId)).fetchSockets()).map((socket) => socket.id);
    if (socketIds.length === 0) return { disconnected: 0 };
    const control: ControlEnvelope = { type: 'kicked', reason: command.reason };
    // Both go out over the adapter's one publisher connection, so every node applies them in this order,
    // and a socket flushes the signal before it closes.
    namespace.to(socketIds).emit(WireEvent.Control, control);
    namespace.in(socketIds).disconnectSockets(true);
    return { disconnected: socketIds.length };
  }
}
