/**
 * The Redis stores on a real Redis Cluster (3 masters, no replicas, private processes): every contract
 * suite the stores pass on a single Redis must pass unchanged through an ioredis `Cluster`, which proves
 * that no script or transaction spans hash slots and that pub/sub reaches every node.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stat } from 'node:fs/promises';
import { Cluster } from 'ioredis';
import { RedisCampaignStore } from '../libs/reliable-socket/src/campaigns/redis-campaign.store.js';
import { describeCampaignStoreContract } from '../libs/reliable-socket/src/campaigns/campaign.store.contract.js';
import { describeIdempotencyStoreContract } from '../libs/reliable-socket/src/handlers/idempotency.store.contract.js';
import { RedisIdempotencyStore } from '../libs/reliable-socket/src/handlers/redis-idempotency.store.js';
import { describePresenceStoreContract } from '../libs/reliable-socket/src/presence/presence.store.contract.js';
import { RedisPresenceStore } from '../libs/reliable-socket/src/presence/redis-presence.store.js';
import { RedisSessionRegistry } from '../libs/reliable-socket/src/sessions/redis-session.registry.js';
import { describeSessionRegistryContract } from '../libs/reliable-socket/src/sessions/session.registry.contract.js';
import { RedisStreamStore } from '../libs/reliable-socket/src/store/redis-stream.store.js';
import { describeStreamStoreContract } from '../libs/reliable-socket/src/store/stream.store.contract.js';
import { rawRedisCommand } from './support/redis-ping.js';
import { testKeyPrefix } from './support/redis-prefix.js';
import { ClusterPubSubDrain, RedisClusterProcess } from './support/redis-cluster.js';
import { deleteClusterKeys } from './support/redis-target.js';
import type { PresenceStore } from '../libs/reliable-socket/src/presence/presence.store.js';

const filePrefix = testKeyPrefix('cluster');
let storesOpened = 0;
let cluster: RedisClusterProcess | undefined;
const connections: Cluster[] = [];

/** A fresh cluster connection, closed in afterAll if the suite did not close it. */
function connect(): Cluster {
  if (!cluster) throw new Error('cluster not started');
  const client = new Cluster(cluster.nodes, { enableAutoPipelining: true });
  connections.push(client);
  return client;
}

async function close(...clients: Cluster[]): Promise<void> {
  await Promise.all(clients.map(async (client) => {
    if (client.status === 'end') return;
    await client.quit().catch(() => client.disconnect());
  }));
}

beforeAll(async () => {
  cluster = await RedisClusterProcess.start();
}, 30_000);

afterAll(async () => {
  try {
    if (cluster && connections.length > 0) {
      const client = connect();
      await deleteClusterKeys(client, filePrefix).catch(() => undefined);
    }
    await close(...connections);
  } finally {
    await cluster?.stop();
  }
}, 30_000);

describe('RedisClusterProcess', () => {
  it('forms a 3-master cluster whose every node reports cluster_state:ok', async () => {
    expect(cluster!.nodes).toHaveLength(3);
    for (const { port } of cluster!.nodes) {
      const info = await rawRedisCommand(port, 'CLUSTER INFO');
      expect(info).toMatch(/cluster_state:ok\r\n/);
      expect(info).toMatch(/cluster_slots_assigned:16384\r\n/);
      expect(info).toMatch(/cluster_known_nodes:3\r\n/);
    }
  });

  it('spreads differently tagged keys over all masters and keeps one tag on one node', async () => {
    const client = connect();
    try {
      const prefix = `${filePrefix}spread:`;
      await Promise.all(Array.from({ length: 60 }, (_, n) => client.set(`${prefix}{k${n}}`, n)));
      const perNode = await Promise.all(client.nodes('master').map(async (node) => (await node.keys(`${prefix}*`)).length));
      expect(perNode.every((count) => count > 0)).toBe(true);
      expect(perNode.reduce((a, b) => a + b, 0)).toBe(60);
      // One hash tag, one slot: a multi-key command is accepted; two tags: refused.
      expect(await client.mget(`${prefix}{k1}`, `${prefix}{k1}:other`)).toEqual(['1', null]);
      await expect(client.mget(`${prefix}{k1}`, `${prefix}{k2}`)).rejects.toThrow(/CROSSSLOT|same slot/);
      expect(await deleteClusterKeys(client, prefix)).toBe(60);
    } finally {
      await close(client);
    }
  });

  it('stop() ends every node and removes its directory (on a second, private cluster)', async () => {
    const other = await RedisClusterProcess.start();
    const pids = other.pids;
    expect(pids).toHaveLength(3);
    const dirs = (other as unknown as { members: { dir: string }[] }).members.map((node) => node.dir);
    await other.stop();
    await other.stop(); // idempotent
    expect(other.pids).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const dir of dirs) await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  }, 30_000);
});

describeStreamStoreContract('RedisStreamStore on Redis Cluster', async (options) => {
  const keyPrefix = `${filePrefix}stream${storesOpened++}:`;
  const client = connect();
  const subscriber = client.duplicate();
  connections.push(subscriber);
  const store = new RedisStreamStore({ client, subscriber, keyPrefix, ...options });
  await store.ping();
  const pubSub = await ClusterPubSubDrain.attach(client, [subscriber], `${keyPrefix}drain`);
  return {
    store,
    // Like FLUSHALL on one Redis: the data is gone and no ack notice of an earlier test is still in flight
    // (on a cluster, notices published on another node reach the subscriber over the bus, later).
    wipe: async () => {
      await deleteClusterKeys(client, keyPrefix);
      await pubSub.drain();
    },
    cleanup: async () => {
      await store.close();
      await close(client, subscriber);
    },
  };
});

describeIdempotencyStoreContract('RedisIdempotencyStore on Redis Cluster', async () => {
  const keyPrefix = `${filePrefix}idem${storesOpened++}:`;
  const [one, two] = [connect(), connect()];
  return {
    store: new RedisIdempotencyStore({ client: one, keyPrefix }),
    peer: new RedisIdempotencyStore({ client: two, keyPrefix }),
    cleanup: () => close(one, two),
  };
});

describePresenceStoreContract('RedisPresenceStore on Redis Cluster', async () => {
  const keyPrefix = `${filePrefix}presence${storesOpened++}:`;
  const open = async () => {
    const client = connect();
    const subscriber = client.duplicate();
    connections.push(subscriber);
    const store = new RedisPresenceStore({ client, subscriber, keyPrefix });
    await store.ready();
    return { store, client, subscriber, close: async () => { await store.close(); await close(client, subscriber); } };
  };
  const [node, peer] = await Promise.all([open(), open()]);
  const pubSub = await ClusterPubSubDrain.attach(node.client, [node.subscriber, peer.subscriber], `${keyPrefix}drain`);
  return { store: drainingBeforeMarkers(node.store, pubSub), peer: peer.store, cleanup: async () => void (await Promise.all([node.close(), peer.close()])) };
});

/**
 * The presence contract checks that both nodes heard everything by connecting a marker user (namespace
 * `<test namespace>/marker`) and waiting for its join, assuming one global publish order. On a cluster the
 * marker's slot may live on another node than the test's events, so it can overtake them; this store
 * first waits until everything published so far reached both subscribers, restoring what the check means.
 */
function drainingBeforeMarkers(store: PresenceStore, pubSub: ClusterPubSubDrain): PresenceStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'connect') {
        return async (...args: Parameters<PresenceStore['connect']>) => {
          if (args[0].namespace.endsWith('/marker')) await pubSub.drain();
          return target.connect(...args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describeSessionRegistryContract('RedisSessionRegistry on Redis Cluster', async () => {
  const client = connect();
  return { registry: new RedisSessionRegistry({ client, keyPrefix: `${filePrefix}sessions:` }), cleanup: async () => undefined };
});

describeCampaignStoreContract('RedisCampaignStore on Redis Cluster', async () => {
  const keyPrefix = `${filePrefix}campaigns${storesOpened++}:`;
  const [one, two] = [connect(), connect()];
  return {
    store: new RedisCampaignStore({ client: one, keyPrefix }),
    peer: new RedisCampaignStore({ client: two, keyPrefix }),
    cleanup: () => close(one, two),
  };
});
