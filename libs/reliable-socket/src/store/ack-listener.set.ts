import { ListenerSet } from '../common/listener.set.js';
import type { StreamKey } from './stream.store.js';

/** The local ack listeners of a stream store. */
export const createAckListenerSet = (): ListenerSet<[key: StreamKey, offset: number]> =>
  new ListenerSet('ReliableSocket:StreamStore', (key, offset) => `ack of ${key.namespace} ${key.stream}@${offset}`);
