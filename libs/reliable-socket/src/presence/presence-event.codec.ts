import type { PresenceEvent } from './presence.store.js';

/**
 * A presence event as published by the Redis scripts (`redis/presence-record.lua.ts`), back into a
 * {@link PresenceEvent}; undefined when the message is not one (another publisher on the channel).
 */
export function decodePresenceEvent(message: string): PresenceEvent | undefined {
  try {
    const event = JSON.parse(message) as Partial<PresenceEvent>;
    const valid =
      (event.type === 'join' || event.type === 'leave') && typeof event.namespace === 'string' &&
      typeof event.userId === 'string' && Number.isSafeInteger(event.fence) && Number.isSafeInteger(event.at);
    return valid ? { type: event.type!, namespace: event.namespace!, userId: event.userId!, fence: event.fence!, at: event.at! } : undefined;
  } catch {
    return undefined;
  }
}
