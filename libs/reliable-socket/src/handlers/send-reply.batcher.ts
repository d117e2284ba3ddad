import type { Socket } from 'socket.io';
import { WireEvent } from '@reliable-socket/client/protocol';

/**
 * Gathers the replies to `rs:send` messages per socket and sends each socket's as one `rs:reply` packet
 * on the next turn of the event loop. The replies of one store round trip (a user's whole turn of
 * claims and completions) settle in the same turn, so they leave together, and no reply waits for a
 * slower one. A socket gone by then gets nothing: its client resends, and the server answers the
 * duplicate from the record.
 */
export class SendReplyBatcher {
  private pending = new Map<Socket, Array<[string, unknown]>>();
  private scheduled = false;

  add(socket: Socket, id: string, reply: unknown): void {
    const replies = this.pending.get(socket);
    if (replies) replies.push([id, reply]);
    else this.pending.set(socket, [[id, reply]]);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    for (const [socket, replies] of pending) if (socket.connected) socket.emit(WireEvent.Reply, replies);
  }
}
