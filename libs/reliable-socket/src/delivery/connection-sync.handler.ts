import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { StreamName, WireEvent, type StreamHead } from '@reliable-socket/client/protocol';
import type { AuthenticatedUser } from '../interfaces/reliable-socket-options.interface.js';
import { StreamStore } from '../store/stream.store.js';
import { handshakeCursors } from './handshake-cursors.js';
import { ReplayAbortedError, StreamReplayer, type StreamSubscription } from './stream.replayer.js';

/**
 * Runs on every authenticated connection: finds the user's streams (its own plus the rooms it is a
 * member of, as remembered by the store, so any node can do it), replays what the client missed after
 * the cursors it sent, subscribes it live, and finally signals `rs:synced`.
 */
@Injectable()
export class ConnectionSyncHandler {
  private readonly logger = new Logger('ReliableSocket');

  constructor(
    @Inject(StreamStore) private readonly store: StreamStore,
    private readonly replayer: StreamReplayer,
  ) {}

  async sync(socket: Socket): Promise<void> {
    const user = socket.data.user as AuthenticatedUser;
    const namespace = socket.nsp.name;
    const cursors = handshakeCursors(socket);
    try {
      const rooms = await this.store.roomsOf(namespace, user.id);
      const subscriptions: StreamSubscription[] = [{ key: { namespace, stream: StreamName.user(user.id) }, membershipStart: 0 }];
      for (const [room, joinedAt] of rooms) {
        subscriptions.push({ key: { namespace, stream: StreamName.room(room) }, membershipStart: joinedAt });
      }
      const heads: StreamHead[] = [];
      for (const subscription of subscriptions) {
        subscription.cursor = cursors.get(subscription.key.stream);
        const head = await this.replayer.subscribe(socket, subscription);
        heads.push(head);
        this.recordCursorAck(subscription, head.epoch);
      }
      if (socket.connected) socket.emit(WireEvent.Synced, { streams: heads });
    } catch (error) {
      this.abandon(socket, error);
    }
  }

  /**
   * A handshake cursor says what an `rs:ack` says: the device handled everything up to its offset. It is
   * recorded as an ack, because a client does not resend an ack it wrote into a connection that turned
   * out to be dead (a silent network loss): without this, that delivery would never be acknowledged.
   * Only a cursor of the stream's current epoch counts; the store clamps it to the head.
   */
  private recordCursorAck({ key, cursor }: StreamSubscription, epoch: string): void {
    if (!cursor || cursor.epoch !== epoch || cursor.offset === 0) return;
    this.store.ack(key, cursor.offset).catch((error: Error) =>
      this.logger.warn(`handshake ack of ${key.stream}@${cursor.offset} not recorded: ${error.message}`),
    );
  }

  /**
   * A replay that cannot finish must not leave the socket half-subscribed: it is disconnected and the
   * client resumes from its cursors on the next connection.
   */
  abandon(socket: Socket, error: unknown): void {
    if (!(error instanceof ReplayAbortedError) && socket.connected) {
      this.logger.warn(`sync of ${socket.id} on ${socket.nsp.name} failed, disconnecting it: ${(error as Error)?.message ?? error}`);
    }
    if (socket.connected) socket.disconnect(true);
  }
}
