import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import type { CampaignPreview, CampaignProgress, CampaignSpec } from '../campaigns/campaign.types.js';
import {
  controlPattern,
  DEFAULT_PATTERN_PREFIX,
  type BroadcastRequest,
  type BroadcastResult,
  type CampaignPreviewRequest,
  type ClearRoomsRequest,
  type ClearRoomsResult,
  type ControlCommandName,
  type ControlCommands,
  type DisconnectRequest,
  type DisconnectResult,
  type PresenceRequest,
  type PresenceResult,
  type RemoveFromRoomRequest,
  type RemoveFromRoomResult,
} from './control.contract.js';
import { RELIABLE_CONTROL_CLIENT, RELIABLE_CONTROL_CLIENT_OPTIONS } from './control.tokens.js';
import { ControlErrorCode, ReliableControlError } from './reliable-control.error.js';

/** Options of a {@link ReliableControlClient}. */
export interface ReliableControlClientOptions {
  /** Must match the socket nodes' `ReliableControlModule.forRoot({ patternPrefix })`. @default 'reliable-socket' */
  patternPrefix?: string;
  /** How long a command may take before it rejects with `TIMEOUT` (it may still complete on the cluster). @default 30_000 */
  timeoutMs?: number;
}

/** Per-call options. */
export interface ControlCallOptions {
  /**
   * Identifies the command in the cluster; default: a random UUID. Pass the same id again to retry a
   * command safely: within the nodes' `resultTtlMs` it is not executed again, and the retry gets the
   * first execution's reply.
   */
  requestId?: string;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** `client.campaigns`: the `campaign.*` commands. */
export interface CampaignControl {
  preview(request: CampaignPreviewRequest, options?: ControlCallOptions): Promise<CampaignPreview>;
  start(spec: CampaignSpec, options?: ControlCallOptions): Promise<{ id: string }>;
  progress(id: string, options?: ControlCallOptions): Promise<CampaignProgress>;
  pause(id: string, options?: ControlCallOptions): Promise<CampaignProgress>;
  resume(id: string, options?: ControlCallOptions): Promise<CampaignProgress>;
  cancel(id: string, options?: ControlCallOptions): Promise<CampaignProgress>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Typed access to the control plane for business services. Every command gets a `requestId` (what
 * makes it run once however many socket nodes receive it) and resolves to its reply; any failure
 * rejects with a {@link ReliableControlError} carrying a `code` (`BAD_REQUEST`, `NOT_FOUND`,
 * `UNAVAILABLE`, `TIMEOUT`, `INTERNAL`, …).
 *
 * @example
 * // business-service.module.ts
 * @Module({
 *   imports: [ClientsModule.register([{ name: RELIABLE_CONTROL_CLIENT, transport: Transport.REDIS, options: { host: 'redis', port: 6379 } }])],
 *   providers: [ReliableControlClient],
 * })
 * export class BusinessModule {}
 *
 * // anywhere in it
 * constructor(private readonly control: ReliableControlClient) {}
 * await this.control.broadcast({ namespace: '/chat', event: 'notice', data: { text: 'Maintenance at 22:00' } });
 * await this.control.disconnect({ namespace: '/chat', userId: 'mallory', reason: 'BANNED' });
 * const { online } = await this.control.presence({ namespace: '/chat', query: 'isOnline', userId: 'bob' });
 */
@Injectable()
export class ReliableControlClient {
  /** The `campaign.*` commands. */
  readonly campaigns: CampaignControl;
  private readonly patternPrefix: string;
  private readonly timeoutMs: number;

  constructor(
    @Inject(RELIABLE_CONTROL_CLIENT) private readonly proxy: ClientProxy,
    @Optional() @Inject(RELIABLE_CONTROL_CLIENT_OPTIONS) options: ReliableControlClientOptions = {},
  ) {
    this.patternPrefix = options.patternPrefix ?? DEFAULT_PATTERN_PREFIX;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.campaigns = {
      preview: (request, call) => this.send('campaign.preview', request, call),
      start: (spec, call) => this.send('campaign.start', spec, call),
      progress: (id, call) => this.send('campaign.progress', { id }, call),
      pause: (id, call) => this.send('campaign.pause', { id }, call),
      resume: (id, call) => this.send('campaign.resume', { id }, call),
      cancel: (id, call) => this.send('campaign.cancel', { id }, call),
    };
  }

  /**
   * An event to users, rooms, or (without both) every online user of the namespace; stored and
   * replayed unless `reliable: false`.
   *
   * @example
   * const { offsets } = await control.broadcast({ namespace: '/chat', event: 'notice', data: { text: 'hi' }, users: ['alice', 'bob'] });
   * await control.broadcast({ namespace: '/chat', event: 'typing', data: { room: 'lobby' }, rooms: ['lobby'], reliable: false });
   */
  broadcast(request: BroadcastRequest, options?: ControlCallOptions): Promise<BroadcastResult> {
    return this.send('broadcast', request, options);
  }

  /**
   * Kicks every connection of the user, on every node; the devices get `kicked` and do not reconnect by themselves.
   *
   * @example
   * const { disconnected } = await control.disconnect({ namespace: '/chat', userId: 'mallory', reason: 'BANNED' });
   */
  disconnect(request: DisconnectRequest, options?: ControlCallOptions): Promise<DisconnectResult> {
    return this.send('disconnect', request, options);
  }

  /**
   * Ends the user's membership of the room: no more live room messages, no replay after reconnecting.
   *
   * @example
   * await control.removeFromRoom({ namespace: '/chat', userId: 'bob', room: 'lobby' }); // { wasMember: true }
   */
  removeFromRoom(request: RemoveFromRoomRequest, options?: ControlCallOptions): Promise<RemoveFromRoomResult> {
    return this.send('removeFromRoom', request, options);
  }

  /**
   * Every member leaves each room.
   *
   * @example
   * await control.clearRooms({ namespace: '/chat', rooms: ['match-17'] }); // { removed: { 'match-17': 10 } }
   */
  clearRooms(request: ClearRoomsRequest, options?: ControlCallOptions): Promise<ClearRoomsResult> {
    return this.send('clearRooms', request, options);
  }

  /**
   * Who is online, cluster-wide; the result's type follows the query.
   *
   * @example
   * const { users } = await control.presence({ namespace: '/chat', query: 'count' });
   * const page = await control.presence({ namespace: '/chat', query: 'onlineUsers', limit: 100 }); // { users, cursor? }
   */
  presence<R extends PresenceRequest>(request: R, options?: ControlCallOptions): Promise<PresenceResult<R>> {
    return this.send('presence', request, options) as Promise<PresenceResult<R>>;
  }

  private async send<K extends ControlCommandName>(command: K, request: ControlCommands[K][0], options: ControlCallOptions = {}): Promise<ControlCommands[K][1]> {
    const payload = { ...request, requestId: options.requestId ?? randomUUID() };
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    try {
      return await firstValueFrom(this.proxy.send<ControlCommands[K][1]>(controlPattern(this.patternPrefix, command), payload).pipe(timeout(timeoutMs)));
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new ReliableControlError(ControlErrorCode.Timeout, `${command}: no reply within ${timeoutMs} ms (the command may still complete; retry with the same requestId to find out)`);
      }
      throw ReliableControlError.fromRejection(error);
    }
  }
}
