import { MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { CurrentUser, Reliable, ReliableEmitter, UniquePerNamespace, type AuthenticatedUser } from '@reliable-socket/nestjs';

/**
 * Each sender's "delivered" ticks go to its own room `receipts:<user>` rather than its user stream, so the
 * user stream carries only `message`s (tools count on its offsets being contiguous). Users cannot join,
 * leave or post to these rooms themselves.
 */
const RECEIPTS = 'receipts:';

/** How long a `send` waits for the recipient's ack to relay the "delivered" tick (the wait is held in memory). */
const DELIVERED_WAIT_MS = 10 * 60_000;

function requireText(payload: Record<string, unknown> | undefined, ...fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = payload?.[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new WsException({ code: 'BAD_REQUEST', message: `"${field}" must be a non-empty string` });
    }
    values[field] = value;
  }
  if (values.room?.startsWith(RECEIPTS)) throw new WsException({ code: 'FORBIDDEN', message: `rooms "${RECEIPTS}*" are reserved` });
  return values;
}

/**
 * The sample chat on namespace `/chat`. Its events are a public contract that tests and tools rely on:
 * `send {to, text}` → `message {from, text, sentAt}` to user `to`, acked with `{offset}`, then, once a
 * device of `to` handled it, a reliable `delivered {offset, to}` back to the sender (the "delivered" tick,
 * in the sender's room `receipts:<sender>`, joined at its first tick; such rooms are reserved);
 * `join {room}`; `room:send {room, text}` → `room:message {room, from, text, sentAt}`.
 * `send` and `room:send` are `@Reliable()`: clients use `client.send(...)`, retried until acknowledged,
 * and each message is delivered once even when the sender retries on another node.
 * One live session per user: a second tab takes over and the first is told it was replaced.
 */
@UniquePerNamespace({ onConflict: 'replace' })
@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway {
  /** Senders this node made members of their receipts room (a join pushes the room's recent messages: once per node). */
  private readonly receiptMembers = new Set<string>();

  constructor(private readonly emitter: ReliableEmitter) {}

  @Reliable()
  @SubscribeMessage('send')
  async send(@CurrentUser() user: AuthenticatedUser, @MessageBody() payload: Record<string, unknown>): Promise<{ offset: number }> {
    const { to, text } = requireText(payload, 'to', 'text');
    const receipt = await this.emitter.toUser(to).emit('message', { from: user.id, text, sentAt: Date.now() });
    // Reliable too, so the tick reaches the sender after its reconnects. Not waited for: the ack is the "sent" tick.
    void receipt
      .delivered(DELIVERED_WAIT_MS)
      .then(() => this.tick(user.id, { offset: receipt.offset, to }))
      .catch(() => undefined); // not handled in time (recipient offline): no tick, the message stays stored
    return { offset: receipt.offset };
  }

  /** Emits a "delivered" tick to the sender's receipts room, joining it first if this node has not yet. */
  private async tick(sender: string, tick: { offset: number; to: string }): Promise<void> {
    const receipts = RECEIPTS + sender;
    if (!this.receiptMembers.has(sender)) {
      await this.emitter.join(sender, receipts);
      this.receiptMembers.add(sender);
    }
    await this.emitter.toRoom(receipts).emit('delivered', tick);
  }

  @SubscribeMessage('join')
  async join(@CurrentUser() user: AuthenticatedUser, @MessageBody() payload: Record<string, unknown>): Promise<{ room: string }> {
    const { room } = requireText(payload, 'room');
    await this.emitter.join(user.id, room);
    return { room };
  }

  @SubscribeMessage('leave')
  async leave(@CurrentUser() user: AuthenticatedUser, @MessageBody() payload: Record<string, unknown>): Promise<{ room: string }> {
    const { room } = requireText(payload, 'room');
    await this.emitter.leave(user.id, room);
    return { room };
  }

  @Reliable()
  @SubscribeMessage('room:send')
  async roomSend(@CurrentUser() user: AuthenticatedUser, @MessageBody() payload: Record<string, unknown>): Promise<{ offset: number }> {
    const { room, text } = requireText(payload, 'room', 'text');
    const receipt = await this.emitter.toRoom(room).emit('room:message', { room, from: user.id, text, sentAt: Date.now() });
    return { offset: receipt.offset };
  }
}
