import type { Gap, MessageMeta } from '@reliable-socket/client';

export type SendKind = 'direct' | 'room';

/** One message a client sent, and what became of its `send()`. */
export interface SentMessage {
  id: string;
  from: string;
  kind: SendKind;
  /** The recipient user (`direct`) or the room (`room`). */
  target: string;
  /** Who must get it: the user, or every member of the room (members for the whole run, the sender included). */
  recipients: readonly string[];
  sentAt: number;
  status: 'pending' | 'acked' | 'rejected';
  /** The stream offset the server's reply named. */
  ackOffset?: number;
  rejectCode?: string;
}

/** One hand-over of a message to a user's application handler. */
export interface Delivery {
  stream: string;
  offset: number;
  at: number;
  /** When the payload says it was sent (the sender's clock: the same process). */
  sentAt: number;
}

/** A handler saw a message it had not seen before at an offset below one it had already seen on that stream. */
export interface OrderViolation {
  user: string;
  stream: string;
  offset: number;
  after: number;
}

/** `HH:MM:SS.mmm` (UTC), to match a moment with the nodes' logs. */
export const clock = (at: number): string => new Date(at).toISOString().slice(11, 23);

const PAYLOAD = /^chaos:([\w-]+):(\d+)$/;

/** The text a chaos message carries: its unique id and when it was sent. */
export function chaosText(id: string, sentAt: number): string {
  return `chaos:${id}:${sentAt}`;
}

/**
 * Everything the run observed, as it happened: every send and its outcome, every message each user's
 * application handler was given (what the user sees, after the SDK's own deduplication), the order in
 * which handlers saw each stream, the gaps the SDK signalled and sessions that halted.
 */
export class DeliveryLedger {
  readonly messages = new Map<string, SentMessage>();
  /** recipient → message id → its deliveries (more than one is a duplicate). */
  readonly deliveries = new Map<string, Map<string, Delivery[]>>();
  readonly orderViolations: OrderViolation[] = [];
  readonly gaps: Array<Gap & { user: string }> = [];
  readonly halts: Array<{ user: string; kind: string; reason: string }> = [];
  /** Handler calls whose payload was not a chaos message (should never happen). */
  foreignDeliveries = 0;
  /** `${user} ${stream}` → the highest offset handed to the application. */
  private readonly heads = new Map<string, number>();
  /** `${user} ${stream}` → when the last new message of that stream reached the user's handler. */
  private readonly lastNew = new Map<string, number>();
  /** user → its client's last connection change, for diagnosing a loss. */
  private readonly links = new Map<string, { connected: boolean; at: number }>();

  recordSend(message: Omit<SentMessage, 'status'>): void {
    this.messages.set(message.id, { ...message, status: 'pending' });
  }

  /** A `send()` resolved, or a restored message was acked after a reload. The first outcome counts. */
  acked(id: string, offset: number): void {
    const message = this.messages.get(id);
    if (message?.status === 'pending') Object.assign(message, { status: 'acked', ackOffset: offset });
  }

  /** The server answered with a final error: the message is not queued any more. */
  rejected(id: string, code: string): void {
    const message = this.messages.get(id);
    if (message?.status === 'pending') Object.assign(message, { status: 'rejected', rejectCode: code });
  }

  /** Called from a user's application handler. */
  delivered(user: string, text: unknown, meta: MessageMeta, at = Date.now()): void {
    const match = typeof text === 'string' ? PAYLOAD.exec(text) : null;
    if (!match) {
      this.foreignDeliveries += 1;
      return;
    }
    const [, id, sentAt] = match;
    let byMessage = this.deliveries.get(user);
    if (!byMessage) this.deliveries.set(user, (byMessage = new Map()));
    const previous = byMessage.get(id);
    const headKey = `${user} ${meta.stream}`;
    const head = this.heads.get(headKey) ?? 0;
    if (!previous && meta.offset < head) this.orderViolations.push({ user, stream: meta.stream, offset: meta.offset, after: head });
    this.heads.set(headKey, Math.max(head, meta.offset));
    if (!previous) this.lastNew.set(headKey, at);
    const delivery: Delivery = { stream: meta.stream, offset: meta.offset, at, sentAt: Number(sentAt) };
    if (previous) previous.push(delivery);
    else byMessage.set(id, [delivery]);
  }

  gap(user: string, gap: Gap): void {
    this.gaps.push({ ...gap, user });
  }

  /** A live client stopped reconnecting by itself (replaced, rejected, kicked): it receives nothing more. */
  halted(user: string, kind: string, reason: string): void {
    this.halts.push({ user, kind, reason });
  }

  /** The user's current client connected or lost its connection. */
  connection(user: string, connected: boolean, at = Date.now()): void {
    this.links.set(user, { connected, at });
  }

  /** Where a user stood on a stream, and its connection, in words: the context of a loss. */
  whereIs(user: string, stream: string): string {
    const key = `${user} ${stream}`;
    const seen = this.heads.has(key) ? `last saw @${this.heads.get(key)} at ${clock(this.lastNew.get(key)!)}` : 'saw nothing of it';
    const link = this.links.get(user);
    return `${seen}; ${link ? `${link.connected ? 'connected' : 'disconnected'} since ${clock(link.at)}` : 'never connected'}`;
  }

  deliveriesOf(user: string, id: string): readonly Delivery[] {
    return this.deliveries.get(user)?.get(id) ?? [];
  }

  /** Sends whose outcome is still unknown. */
  unsettled(): number {
    let count = 0;
    for (const message of this.messages.values()) if (message.status === 'pending') count += 1;
    return count;
  }

  /** (acknowledged message, intended recipient) pairs that have not been delivered yet. */
  undelivered(): number {
    let count = 0;
    for (const message of this.messages.values()) {
      if (message.status !== 'acked') continue;
      for (const user of message.recipients) if (this.deliveriesOf(user, message.id).length === 0) count += 1;
    }
    return count;
  }
}
