/**
 * The control plane's wire contract: command names, message patterns, request and reply shapes. Shared
 * by the socket nodes (`ReliableControlModule`) and business services (`ReliableControlClient`); it has
 * no runtime dependency, so either side can import it alone.
 */
import type { CampaignPreview, CampaignProgress, CampaignSpec, CampaignTarget } from '../campaigns/campaign.types.js';
import type { PresencePage } from '../presence/presence.store.js';

/** Every command, by the name that ends its pattern (`reliable-socket.<name>`). */
export const CONTROL_COMMANDS = [
  'broadcast',
  'disconnect',
  'removeFromRoom',
  'clearRooms',
  'presence',
  'campaign.preview',
  'campaign.start',
  'campaign.progress',
  'campaign.pause',
  'campaign.resume',
  'campaign.cancel',
] as const;

export type ControlCommandName = (typeof CONTROL_COMMANDS)[number];

/** First part of every pattern unless `patternPrefix` says otherwise. */
export const DEFAULT_PATTERN_PREFIX = 'reliable-socket';

/**
 * The message pattern of a command.
 *
 * @example
 * controlPattern('reliable-socket', 'broadcast'); // 'reliable-socket.broadcast'
 */
export const controlPattern = (prefix: string, command: ControlCommandName): string => `${prefix}.${command}`;

/**
 * What travels on the wire: the command plus the `requestId` that makes it run once across the cluster
 * (every node receives it; see `ReliableControlModule`). `ReliableControlClient` adds the id itself.
 */
export type ControlPayload<T> = T & { requestId: string };

/** `broadcast`: an event to users, rooms, or the whole namespace. */
export interface BroadcastRequest {
  namespace: string;
  event: string;
  data: unknown;
  /** Users to reach. With `rooms`, both are reached. Omit both to reach the whole namespace; an empty list reaches nobody. */
  users?: string[];
  rooms?: string[];
  /**
   * `true` (default): stored in each user's or room's stream and replayed to devices that are offline
   * (namespace-wide: to every user online now, found through presence). `false`: a plain Socket.IO emit
   * to the sockets connected now, on every node; nothing is stored or replayed.
   */
  reliable?: boolean;
}

export interface BroadcastResult {
  /** Reliable: streams the message was stored in (users + rooms, or online users namespace-wide). Unreliable: sockets it was sent to. */
  recipients: number;
  /** Reliable to explicit users/rooms: the message's offset in each stream, by stream name (`user:alice`, `room:lobby`). */
  offsets?: Record<string, number>;
}

/** `disconnect`: ends every connection of a user in a namespace, on every node. */
export interface DisconnectRequest {
  namespace: string;
  userId: string;
  /** Sent to the devices in `rs:control { type: 'kicked', reason }`. @default 'KICKED' */
  reason?: string;
}

export interface DisconnectResult {
  /** Connections that were kicked. */
  disconnected: number;
}

/** `removeFromRoom`: the user stops being a member of the room (stored membership and live sockets). */
export interface RemoveFromRoomRequest {
  namespace: string;
  userId: string;
  room: string;
}

export interface RemoveFromRoomResult {
  /** Whether the user was a member before. */
  wasMember: boolean;
}

/** `clearRooms`: every member leaves each room. */
export interface ClearRoomsRequest {
  namespace: string;
  rooms: string[];
}

export interface ClearRoomsResult {
  /** Members removed, by room. */
  removed: Record<string, number>;
}

/** `presence`: who is online, from the cluster-wide presence store. */
export type PresenceRequest =
  | { namespace: string; query: 'count' }
  | { namespace: string; query: 'isOnline'; userId: string }
  /** `limit` defaults to 100 (at most 1000); pass the returned `cursor` back for the next page. */
  | { namespace: string; query: 'onlineUsers'; cursor?: string; limit?: number }
  | { namespace: string; query: 'roomMembers'; room: string };

export type PresenceQueryName = PresenceRequest['query'];

/** The answer to each presence query. */
export interface PresenceAnswers {
  count: { connections: number; users: number };
  isOnline: { online: boolean };
  onlineUsers: PresencePage;
  roomMembers: { members: Array<{ userId: string; online: boolean }> };
}

export type PresenceResult<R extends PresenceRequest = PresenceRequest> = PresenceAnswers[R['query']];

/** `campaign.preview`. */
export interface CampaignPreviewRequest {
  target: CampaignTarget;
  namespace?: string;
}

/** `campaign.progress`, `campaign.pause`, `campaign.resume`, `campaign.cancel`. */
export interface CampaignIdRequest {
  id: string;
}

/** Request and result type of every command, by name. */
export interface ControlCommands {
  broadcast: [BroadcastRequest, BroadcastResult];
  disconnect: [DisconnectRequest, DisconnectResult];
  removeFromRoom: [RemoveFromRoomRequest, RemoveFromRoomResult];
  clearRooms: [ClearRoomsRequest, ClearRoomsResult];
  presence: [PresenceRequest, PresenceResult];
  'campaign.preview': [CampaignPreviewRequest, CampaignPreview];
  'campaign.start': [CampaignSpec, { id: string }];
  'campaign.progress': [CampaignIdRequest, CampaignProgress];
  'campaign.pause': [CampaignIdRequest, CampaignProgress];
  'campaign.resume': [CampaignIdRequest, CampaignProgress];
  'campaign.cancel': [CampaignIdRequest, CampaignProgress];
}
