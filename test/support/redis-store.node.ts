import { Redis } from 'ioredis';

/** A Redis-backed store under test on connections of its own: one "node" of a cluster. */
export interface RedisStoreNode<S> {
  store: S;
  client: Redis;
  subscriber: Redis;
  keyPrefix: string;
  /** Closes the store, then its connections. */
  close(): Promise<void>;
}

/**
 * Opens a command and a subscriber connection to `redisAt`, builds the store on them with `keyPrefix`
 * and waits until `ready` says it is usable: the shape every Redis store spec needs for its nodes.
 *
 * @example
 * const node = await openRedisStoreNode(url, `${filePrefix}1:`, (connections) => new RedisPresenceStore(connections), (store) => store.ready());
 */
export async function openRedisStoreNode<S extends { close(): Promise<void> }>(
  redisAt: string,
  keyPrefix: string,
  build: (connections: { client: Redis; subscriber: Redis; keyPrefix: string }) => S,
  ready: (store: S) => Promise<unknown>,
): Promise<RedisStoreNode<S>> {
  const client = new Redis(redisAt);
  const subscriber = new Redis(redisAt);
  const store = build({ client, subscriber, keyPrefix });
  await ready(store);
  return {
    store, client, subscriber, keyPrefix,
    close: async () => {
      await store.close();
      await Promise.all([client.quit(), subscriber.quit()]);
    },
  };
}
