import { ListenerSet } from '../common/listener.set.js';
import type { PresenceEvent } from './presence.store.js';

/** The local listeners of a presence store. */
export const createPresenceListenerSet = (): ListenerSet<[event: PresenceEvent]> =>
  new ListenerSet('ReliableSocket:PresenceStore', (event) => `${event.type} of ${event.userId} on ${event.namespace}`);
