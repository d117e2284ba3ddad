import { MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { CurrentUser, Reliable, ReliableEmitter, UniquePerNamespace, type AuthenticatedUser } from '@reliable-socket/nestjs';

function requireText(payload: Record<string, unknown> | undefined, ...fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = payload?.[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new WsException({ code: 'BAD_REQUEST', message: `"${field}" must be a non-empty string` });
    }
    values[field] = value;
  }
  return values;
}

/**
 * The sample chat on namespace `/chat`. Its events are a public contract that tests and tools rely on:
 * `send {to, text}` → `message {from, text, sentAt}` to user `to`, acked with `{offset}`;
 * `join {room}`; `room:send {room, text}` → `room:message {room, from, text, sentAt}`.
 * `send` and `room:send` are `@Reliable()`: clients use `client.send(...)`, retried until acknowledged,
 * and each message is delivered once even when the sender retries on another node.
 * One live session per user: a second tab takes over and the first is told it was replaced.
 */
@UniquePerNamespace({ onConflict: 'replace' })
@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway {
  constructor(private readonly emitter: ReliableEmitter) {}

  @Reliable()
  @SubscribeMessage('send')
  async send(@CurrentUser() user: AuthenticatedUser, @MessageBody() payload: Record<string, unknown>): Promise<{ offset: number }> {
    const { to, text } = requireText(payload, 'to', 'text');
    const receipt = await this.emitter.toUser(to).emit('message', { from: user.id, text, sentAt: Date.now() });
    return { offset: receipt.offset };
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
