import type { CampaignSpec, CampaignTarget } from '../campaigns/campaign.types.js';
import type {
  BroadcastRequest,
  CampaignIdRequest,
  CampaignPreviewRequest,
  ClearRoomsRequest,
  ControlCommandName,
  ControlCommands,
  ControlPayload,
  DisconnectRequest,
  PresenceRequest,
  RemoveFromRoomRequest,
} from './control.contract.js';
import { PayloadReader } from './payload.reader.js';

/** `rs:` events belong to the protocol; the others are Socket.IO's own and cannot be emitted. */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Default reason of a `kicked` control signal. */
export const DEFAULT_KICK_REASON = 'KICKED';
/** Default and largest page of `presence` `onlineUsers`. */
export const ONLINE_USERS_PAGE = { default: 100, max: 1_000 } as const;

/** A broadcast as executed: `reliable` resolved to its default. */
export type BroadcastCommand = ControlPayload<BroadcastRequest> & { reliable: boolean };
export type DisconnectCommand = ControlPayload<DisconnectRequest> & { reason: string };

/** A command after validation, as the socket node executes it. */
export type ParsedCommand<K extends ControlCommandName> = K extends 'broadcast'
  ? BroadcastCommand
  : K extends 'disconnect'
    ? DisconnectCommand
    : ControlPayload<ControlCommands[K][0]>;

function eventName(reader: PayloadReader): string {
  const event = reader.string('event');
  if (event.startsWith('rs:') || RESERVED_EVENTS.has(event)) throw reader.invalid('event', "is reserved (rs:* and Socket.IO's own events cannot be sent)", event);
  return event;
}

function parseBroadcast(payload: unknown): BroadcastCommand {
  const reader = PayloadReader.of('broadcast', payload);
  return reader.finish({
    requestId: reader.requestId(),
    namespace: reader.string('namespace'),
    event: eventName(reader),
    data: reader.value('data'),
    users: reader.optionalStringList('users'),
    rooms: reader.optionalStringList('rooms'),
    reliable: reader.optionalBoolean('reliable') ?? true,
  });
}

function parseDisconnect(payload: unknown): DisconnectCommand {
  const reader = PayloadReader.of('disconnect', payload);
  return reader.finish({
    requestId: reader.requestId(),
    namespace: reader.string('namespace'),
    userId: reader.string('userId'),
    reason: reader.optionalString('reason') ?? DEFAULT_KICK_REASON,
  });
}

function parseRemoveFromRoom(payload: unknown): ControlPayload<RemoveFromRoomRequest> {
  const reader = PayloadReader.of('removeFromRoom', payload);
  return reader.finish({ requestId: reader.requestId(), namespace: reader.string('namespace'), userId: reader.string('userId'), room: reader.string('room') });
}

function parseClearRooms(payload: unknown): ControlPayload<ClearRoomsRequest> {
  const reader = PayloadReader.of('clearRooms', payload);
  return reader.finish({ requestId: reader.requestId(), namespace: reader.string('namespace'), rooms: reader.stringList('rooms') });
}

function parsePresence(payload: unknown): ControlPayload<PresenceRequest> {
  const reader = PayloadReader.of('presence', payload);
  const requestId = reader.requestId();
  const namespace = reader.string('namespace');
  // Each query reads only its own fields, so a field of another query (`room` on `isOnline`) is refused as unknown.
  const query = reader.oneOf('query', ['count', 'isOnline', 'onlineUsers', 'roomMembers'] as const);
  switch (query) {
    case 'count':
      return reader.finish({ requestId, namespace, query });
    case 'isOnline':
      return reader.finish({ requestId, namespace, query, userId: reader.string('userId') });
    case 'onlineUsers':
      return reader.finish({ requestId, namespace, query, cursor: reader.optionalString('cursor'), limit: reader.optionalInteger('limit', 1, ONLINE_USERS_PAGE.max) });
    case 'roomMembers':
      return reader.finish({ requestId, namespace, query, room: reader.string('room') });
  }
}

function campaignTarget(reader: PayloadReader): CampaignTarget {
  const target = reader.nested('target');
  return target.finish({ users: target.optionalStringList('users'), rooms: target.optionalStringList('rooms'), where: target.optionalRecord('where') });
}

function parseCampaignPreview(payload: unknown): ControlPayload<CampaignPreviewRequest> {
  const reader = PayloadReader.of('campaign.preview', payload);
  return reader.finish({ requestId: reader.requestId(), namespace: reader.optionalString('namespace'), target: campaignTarget(reader) });
}

function parseCampaignStart(payload: unknown): ControlPayload<CampaignSpec> {
  const reader = PayloadReader.of('campaign.start', payload);
  return reader.finish({
    requestId: reader.requestId(),
    namespace: reader.optionalString('namespace'),
    target: campaignTarget(reader),
    event: eventName(reader),
    data: reader.value('data'),
    ratePerSecond: reader.optionalPositiveNumber('ratePerSecond'),
    expiresAt: reader.positiveNumber('expiresAt'),
  });
}

const parseCampaignId =
  (command: ControlCommandName) =>
  (payload: unknown): ControlPayload<CampaignIdRequest> => {
    const reader = PayloadReader.of(command, payload);
    return reader.finish({ requestId: reader.requestId(), id: reader.string('id') });
  };

/**
 * The validation of every command's payload, by command. Each parser either returns the typed command
 * or throws a `BAD_REQUEST` `ReliableControlError` naming the command and the field.
 *
 * @example
 * const command = CONTROL_PARSERS.disconnect({ requestId: 'f3c…', namespace: '/chat', userId: 'bob' });
 * // { requestId: 'f3c…', namespace: '/chat', userId: 'bob', reason: 'KICKED' }
 */
export const CONTROL_PARSERS: { [K in ControlCommandName]: (payload: unknown) => ParsedCommand<K> } = {
  broadcast: parseBroadcast,
  disconnect: parseDisconnect,
  removeFromRoom: parseRemoveFromRoom,
  clearRooms: parseClearRooms,
  presence: parsePresence,
  'campaign.preview': parseCampaignPreview,
  'campaign.start': parseCampaignStart,
  'campaign.progress': parseCampaignId('campaign.progress'),
  'campaign.pause': parseCampaignId('campaign.pause'),
  'campaign.resume': parseCampaignId('campaign.resume'),
  'campaign.cancel': parseCampaignId('campaign.cancel'),
};
