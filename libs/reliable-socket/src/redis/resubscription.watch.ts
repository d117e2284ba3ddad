import type { RedisClient } from './redis-client.js';

/**
 * Calls `listener` each time a subscribed connection is back after an interruption, once Redis has
 * confirmed the subscriptions ioredis restored: from then on nothing published is missed, so whatever
 * was published meanwhile can be read. ioredis emits `ready` on the tick after it re-sent SUBSCRIBE and
 * PSUBSCRIBE, so a PING sent from the `ready` listener is answered after them. If the PING fails, the
 * next `ready` tries again. Returns the function that stops watching.
 *
 * @example
 * const stop = onResubscribed(subscriber, () => void rereadWhatWasMissed());
 */
export function onResubscribed(connection: RedisClient, listener: () => void): () => void {
  let interrupted = false;
  const onClose = (): void => {
    interrupted = true;
  };
  const onReady = (): void => {
    if (!interrupted) return;
    interrupted = false;
    connection.ping().then(listener, () => {
      interrupted = true;
    });
  };
  connection.on('close', onClose);
  connection.on('ready', onReady);
  return () => {
    connection.off('close', onClose);
    connection.off('ready', onReady);
  };
}
