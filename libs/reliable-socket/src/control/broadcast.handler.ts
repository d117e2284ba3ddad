import { Injectable } from '@nestjs/common';
import { StreamName } from '@reliable-socket/client/protocol';
import { ReliableEmitter, type NamespaceEmitter, type ReliableEmitOptions } from '../delivery/reliable.emitter.js';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { PresenceService } from '../presence/presence.service.js';
import { identityRoom, streamRoom } from '../reliable-socket.constants.js';
import type { BroadcastResult } from './control.contract.js';
import type { BroadcastCommand } from './control-commands.parser.js';

/** Online users fetched (and emitted to concurrently) per presence page in a namespace-wide broadcast. */
const ONLINE_PAGE_SIZE = 500;

const unique = (names: string[] = []): string[] => [...new Set(names)];

/**
 * Executes `broadcast`: reliable emits through {@link ReliableEmitter}, or a plain Socket.IO emit that
 * the cluster adapter fans out to every node.
 */
@Injectable()
export class BroadcastHandler {
  constructor(
    private readonly emitter: ReliableEmitter,
    private readonly registry: NamespaceRegistry,
    private readonly presence: PresenceService,
  ) {}

  /**
   * @example
   * await handler.broadcast({ requestId, namespace: '/chat', event: 'notice', data: { text: 'maintenance at 22:00' }, users: ['alice'], reliable: true });
   * // { recipients: 1, offsets: { 'user:alice': 42 } }
   */
  broadcast(command: BroadcastCommand): Promise<BroadcastResult> {
    return command.reliable ? this.stored(command) : this.live(command);
  }

  private async stored(command: BroadcastCommand): Promise<BroadcastResult> {
    const target = this.emitter.of(command.namespace);
    // Keyed by the request: a node that takes over after the executing node died stores nothing twice.
    const options: ReliableEmitOptions = { idempotencyKey: `control:${command.requestId}` };
    if (command.users === undefined && command.rooms === undefined) {
      return { recipients: await this.toOnlineUsers(target, command, options) };
    }
    const streams = [...unique(command.users).map((user) => target.toUser(user)), ...unique(command.rooms).map((room) => target.toRoom(room))];
    const receipts = await Promise.all(streams.map((stream) => stream.emit(command.event, command.data, options)));
    return { recipients: receipts.length, offsets: Object.fromEntries(receipts.map((receipt) => [receipt.stream, receipt.offset])) };
  }

  /**
   * A namespace has no stream of its own, so "everyone" means every user online now, page by page from
   * presence. Users offline at this moment are not reached: address them by id to have it waiting for them.
   */
  private async toOnlineUsers(target: NamespaceEmitter, command: BroadcastCommand, options: ReliableEmitOptions): Promise<number> {
    let recipients = 0;
    let cursor: string | undefined;
    do {
      const page = await this.presence.onlineUsers(command.namespace, { cursor, limit: ONLINE_PAGE_SIZE });
      await Promise.all(page.users.map((user) => target.toUser(user).emit(command.event, command.data, options)));
      recipients += page.users.length;
      cursor = page.cursor;
    } while (cursor);
    return recipients;
  }

  /** Sockets connected now, on any node: counted first (the adapter asks every node), then sent to. */
  private async live(command: BroadcastCommand): Promise<BroadcastResult> {
    const namespace = this.registry.get(command.namespace);
    if (command.users === undefined && command.rooms === undefined) {
      // Counting through presence avoids fetching every socket of the namespace from every node.
      const { connections } = await this.presence.count(command.namespace);
      namespace.emit(command.event, command.data);
      return { recipients: connections };
    }
    const rooms = [...unique(command.users).map(identityRoom), ...unique(command.rooms).map((room) => streamRoom(StreamName.room(room)))];
    if (rooms.length === 0) return { recipients: 0 };
    const sockets = await namespace.in(rooms).fetchSockets();
    namespace.to(rooms).emit(command.event, command.data);
    return { recipients: sockets.length };
  }
}
