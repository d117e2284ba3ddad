import type { Socket } from 'socket.io-client';
import { ErrorCode, WireEvent, type PresenceSubscribeRequest } from '../protocol.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import { TypedEmitter, type Listener } from '../lifecycle/lifecycle.emitter.js';
import { requestWithAck } from '../request/ack.request.js';
import { ReliableError } from '../request/reliable.error.js';
import type { PresenceApi, PresenceEvents, PresenceMember } from './presence.api.js';
import { PresenceFences } from './presence.fences.js';
import { isPresenceEnvelope, parseMembers } from './presence.guards.js';

interface Waiter {
  resolve(members: PresenceMember[]): void;
  reject(error: ReliableError): void;
}

/**
 * Failures that are the server's trouble rather than a refusal: the room stays followed, and the next
 * connection subscribes it again. Any other error code means "not allowed": the room is dropped.
 */
const TRANSIENT = new Set<string>([ErrorCode.Timeout, ErrorCode.Unavailable, ErrorCode.Internal]);

const copy = (members: PresenceMember[]): PresenceMember[] => members.map((member) => ({ ...member }));

/**
 * Implements {@link PresenceApi} over a socket. The followed rooms live in memory only: presence is
 * about now, so there is nothing to resume after a reload, but within the client's life they are
 * subscribed again on every connection, since the server forgets a socket's subscriptions with it.
 *
 * @example
 * const presence = new PresenceTracker(socket, lifecycle, 5000);
 * const members = await presence.subscribe('lobby');
 */
export class PresenceTracker implements PresenceApi {
  private readonly events = new TypedEmitter<PresenceEvents>();
  private readonly followed = new Set<string>();
  /** `subscribe()` calls waiting for the room's next successful subscription. */
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly fences = new PresenceFences();

  constructor(
    private readonly socket: Socket,
    private readonly lifecycle: TypedEmitter<LifecycleEvents>,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('connect', () => {
      for (const room of this.followed) void this.join(room);
    });
    socket.on(WireEvent.Presence, (envelope: unknown) => this.received(envelope));
  }

  subscribe(room: string): Promise<PresenceMember[]> {
    const invalid = invalidRoom(room);
    if (invalid) return Promise.reject(invalid);
    this.followed.add(room);
    const members = new Promise<PresenceMember[]>((resolve, reject) => {
      const waiters = this.waiting.get(room) ?? [];
      waiters.push({ resolve, reject });
      this.waiting.set(room, waiters);
    });
    // Not connected: the next 'connect' subscribes every followed room, this one included.
    if (this.socket.connected) void this.join(room);
    return members;
  }

  async unsubscribe(room: string): Promise<void> {
    const invalid = invalidRoom(room);
    if (invalid) throw invalid;
    this.followed.delete(room);
    this.fences.forget(room);
    const cancelled = new ReliableError(ErrorCode.Cancelled, `unsubscribed from the presence of "${room}" before its subscription completed`);
    for (const waiter of this.takeWaiters(room)) waiter.reject(cancelled);
    // A later connection never subscribes it, so there is nothing to undo on the server.
    if (!this.socket.connected) return;
    const request: PresenceSubscribeRequest = { room };
    await requestWithAck(this.socket, WireEvent.PresenceUnsubscribe, request, this.requestTimeoutMs, () => true);
  }

  on<K extends keyof PresenceEvents>(name: K, listener: Listener<PresenceEvents[K]>): () => void {
    return this.events.on(name, listener);
  }

  off<K extends keyof PresenceEvents>(name: K, listener: Listener<PresenceEvents[K]>): void {
    this.events.off(name, listener);
  }

  rooms(): string[] {
    return [...this.followed];
  }

  /**
   * The client closed: the waiting `subscribe()` calls reject with `UNAVAILABLE`, since no connection
   * is coming. The rooms stay followed, for a later `connect()`.
   */
  stop(): void {
    for (const room of [...this.waiting.keys()]) {
      const error = new ReliableError(ErrorCode.Unavailable, `the client was closed before the presence of "${room}" was subscribed`);
      for (const waiter of this.takeWaiters(room)) waiter.reject(error);
    }
  }

  /** Subscribes one followed room on the current connection and settles the calls waiting for it. */
  private async join(room: string): Promise<void> {
    let members: PresenceMember[];
    try {
      const request: PresenceSubscribeRequest = { room };
      members = await requestWithAck(this.socket, WireEvent.PresenceSubscribe, request, this.requestTimeoutMs, parseMembers);
    } catch (error) {
      const failure = error as ReliableError;
      // The connection dropped: the next one subscribes again, and the callers wait for that.
      if (failure.code === ErrorCode.Unavailable && !this.socket.connected) return;
      // Unsubscribed meanwhile: its callers were told already.
      if (!this.followed.has(room)) return;
      if (!TRANSIENT.has(failure.code)) {
        this.followed.delete(room);
        this.fences.forget(room);
      }
      this.fail(room, failure);
      return;
    }
    if (!this.followed.has(room)) return;
    for (const waiter of this.takeWaiters(room)) waiter.resolve(copy(members));
    this.events.emit('members', { room, members: copy(members) });
  }

  /** With callers to reject, the rejection is the report; an automatic resubscription has only the lifecycle. */
  private fail(room: string, error: ReliableError): void {
    const waiters = this.takeWaiters(room);
    for (const waiter of waiters) waiter.reject(error);
    if (waiters.length === 0) {
      this.lifecycle.emit('error', { code: error.code, message: `presence subscription of "${room}" failed: ${error.message}`, cause: error });
    }
  }

  private received(envelope: unknown): void {
    if (!isPresenceEnvelope(envelope)) {
      this.lifecycle.emit('error', { code: ErrorCode.BadRequest, message: `malformed ${WireEvent.Presence} from the server, ignored` });
      return;
    }
    const { room, userId, type, fence } = envelope;
    // Late events of an unfollowed room, and stale ones, would undo newer knowledge.
    if (!this.followed.has(room) || !this.fences.accept(room, userId, fence)) return;
    this.events.emit('change', { room, userId, type, fence });
  }

  private takeWaiters(room: string): Waiter[] {
    const waiters = this.waiting.get(room) ?? [];
    this.waiting.delete(room);
    return waiters;
  }
}

function invalidRoom(room: unknown): ReliableError | undefined {
  return typeof room === 'string' && room.length > 0 ? undefined : new ReliableError(ErrorCode.BadRequest, 'a room name must be a non-empty string');
}
