import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { deleteKeysWithPrefix, redisUrl, scanKeys, testKeyPrefix } from '../../../../test/support/redis-prefix.js';
import { describeSessionRegistryContract } from './session.registry.contract.js';
import { RedisSessionRegistry } from './redis-session.registry.js';

const prefix = testKeyPrefix('session-registry');
const clients: Redis[] = [];

afterAll(async () => {
  await deleteKeysWithPrefix(redisUrl(), prefix);
  await Promise.all(clients.map((client) => client.quit()));
});

// Two connections per registry instance pair would be two nodes; one registry per connection is enough here.
describeSessionRegistryContract('redis', async () => {
  const client = new Redis(redisUrl(), { enableAutoPipelining: true });
  clients.push(client);
  return { registry: new RedisSessionRegistry({ client, keyPrefix: prefix }), cleanup: async () => undefined };
});

describe('RedisSessionRegistry keys', () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis(redisUrl());
    clients.push(client);
  });

  it('keeps a user\'s session keys in the user\'s hash slot', async () => {
    const registry = new RedisSessionRegistry({ client, keyPrefix: prefix });
    await registry.claim({ namespace: '/slots', userId: 'u{1}', sessionId: 's' }, 'replace', 5_000);
    const keys = await scanKeys(client, `${prefix}{/slots|`);
    expect(keys).toEqual([`${prefix}{/slots|user:u%7B1%7D}:session`, `${prefix}{/slots|user:u%7B1%7D}:session-fence`]);
  });
});
