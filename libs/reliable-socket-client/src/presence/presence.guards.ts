import type { PresenceEnvelope } from '../protocol.js';
import type { OkReply } from '../request/ack.request.js';
import type { PresenceMember } from './presence.api.js';

/** Shape checks for what the server sends about presence. */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isPresenceEnvelope(value: unknown): value is PresenceEnvelope {
  return (
    isRecord(value) && typeof value.room === 'string' && typeof value.userId === 'string' &&
    (value.type === 'join' || value.type === 'leave') && typeof value.fence === 'number' && !Number.isNaN(value.fence)
  );
}

function isMember(value: unknown): value is PresenceMember {
  return isRecord(value) && typeof value.userId === 'string' && typeof value.online === 'boolean';
}

/** The members of an `rs:presence:subscribe` success reply, as fresh objects; undefined when malformed. */
export function parseMembers(reply: OkReply): PresenceMember[] | undefined {
  const { members } = reply;
  if (!Array.isArray(members) || !members.every(isMember)) return undefined;
  return members.map(({ userId, online }) => ({ userId, online }));
}
