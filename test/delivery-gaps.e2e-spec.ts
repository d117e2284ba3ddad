/**
 * Issue 2, (e) (f): loss beyond retention is never silent. Redis data wiped → `gap` reason `epoch`;
 * history trimmed past the cursor → `gap` reason `trimmed`, then everything still retained, in order.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { MemoryStorage, type Gap, type ReliableClient } from '@reliable-socket/client';
import { AppProcess } from './support/app-process.js';
import { RedisServerProcess } from './support/redis-server.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { waitFor } from './support/wait.js';
import { chatClient, connectRaw, devToken, Inbox, nodeEnv, pacedEmits } from './fixtures/chat.fixtures.js';

describe('gap signalling', () => {
  const clients: ReliableClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  describe('(e) Redis loses its data', () => {
    let redis: RedisServerProcess;
    let node: AppProcess;

    beforeAll(async () => {
      redis = await RedisServerProcess.start();
      node = await AppProcess.start({ env: nodeEnv({ REDIS_URL: redis.url }) });
    });

    afterAll(async () => {
      await node?.stop();
      await redis?.stop();
    });

    it('tells the client with a gap of reason "epoch", then delivers the new epoch', async () => {
      const receiver = await chatClient(node.url, node.url, 'erin');
      clients.push(receiver);
      const inbox = new Inbox<{ text: string }>(receiver, 'message');
      const gaps: Gap[] = [];
      receiver.lifecycle.on('gap', (gap) => gaps.push(gap));
      const sender = await connectRaw(node.url, { token: await devToken(node.url, 'eve') });
      await pacedEmits(sender, 3, 100, (i) => ['send', { to: 'erin', text: `before${i}` }]);
      await inbox.waitForCount(3);

      const admin = new Redis(redis.url);
      await admin.flushall();
      await admin.quit();
      await pacedEmits(sender, 2, 100, (i) => ['send', { to: 'erin', text: `after${i}` }]);
      await inbox.waitForCount(5);
      sender.close();

      expect(gaps).toEqual([{ stream: 'user:erin', from: 4, to: null, reason: 'epoch' }]);
      expect(inbox.texts).toEqual(['before0', 'before1', 'before2', 'after0', 'after1']);
      expect(inbox.items.map((item) => item.offset)).toEqual([1, 2, 3, 1, 2]);
    });
  });

  describe('(f) retention trims past the cursor', () => {
    const prefix = testKeyPrefix('gaps-trim');
    let node: AppProcess;

    beforeAll(async () => {
      node = await AppProcess.start({ env: nodeEnv({ REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, RETENTION_MAX_LENGTH: '10' }) });
    });

    afterAll(async () => {
      await node?.stop();
      await deleteKeysWithPrefix(redisUrl(), prefix);
    });

    it('signals a gap of reason "trimmed" and resumes at the oldest retained message', async () => {
      const storage = new MemoryStorage();
      const first = await chatClient(node.url, node.url, 'frank', { storage });
      const firstInbox = new Inbox<{ text: string }>(first, 'message');
      const sender = await connectRaw(node.url, { token: await devToken(node.url, 'fay') });
      await pacedEmits(sender, 1, 100, () => ['send', { to: 'frank', text: 'seen' }]);
      await firstInbox.waitForCount(1);
      await first.close();

      await pacedEmits(sender, 300, 1_000, (i) => ['send', { to: 'frank', text: `f${i}` }]);
      sender.close();

      const second = await chatClient(node.url, node.url, 'frank', { storage });
      clients.push(second);
      const gaps: Gap[] = [];
      second.lifecycle.on('gap', (gap) => gaps.push(gap));
      const inbox = new Inbox<{ text: string }>(second, 'message');
      await waitFor(() => gaps.length > 0 && inbox.items.at(-1)?.offset === 301, { timeoutMs: 10_000, message: 'no gap or tail' });

      expect(gaps).toHaveLength(1);
      const [gap] = gaps;
      expect(gap).toMatchObject({ stream: 'user:frank', from: 2, reason: 'trimmed' });
      expect(gap.to).toBe(291); // maxLength 10: offsets 292..301 remain
      expect(inbox.items.map((item) => item.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 292 + i));
      expect(inbox.texts).toEqual(Array.from({ length: 10 }, (_, i) => `f${290 + i}`));
    });
  });
});
