/**
 * Issue 2, (h) (i): two nodes emitting concurrently to one user deliver in offset order with no loss;
 * a room member that was offline gets the room messages it missed, on whichever node it comes back to.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { MemoryStorage, type ReliableClient } from '@reliable-socket/client';
import { AppProcess } from './support/app-process.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { waitFor } from './support/wait.js';
import { chatClient, connectRaw, devToken, Inbox, nodeEnv, pacedEmits } from './fixtures/chat.fixtures.js';

describe('delivery across two nodes (redis store)', () => {
  const prefix = testKeyPrefix('cluster');
  let nodeA: AppProcess;
  let nodeB: AppProcess;
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    const env = nodeEnv({ REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix });
    [nodeA, nodeB] = await Promise.all([AppProcess.start({ env }), AppProcess.start({ env })]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  it('(h) two nodes emit concurrently to one user: delivery follows offset order, nothing lost', async () => {
    const receiver = await chatClient(nodeA.url, nodeA.url, 'hana');
    clients.push(receiver);
    const inbox = new Inbox<{ text: string }>(receiver, 'message');
    await waitFor(() => receiver.connected, { timeoutMs: 10_000, message: 'receiver never connected' });
    const [onA, onB] = await Promise.all([
      connectRaw(nodeA.url, { token: await devToken(nodeA.url, 'sender-a') }),
      connectRaw(nodeB.url, { token: await devToken(nodeB.url, 'sender-b') }),
    ]);
    await Promise.all([
      pacedEmits(onA, 500, 1_000, (i) => ['send', { to: 'hana', text: `A${i}` }]),
      pacedEmits(onB, 500, 1_000, (i) => ['send', { to: 'hana', text: `B${i}` }]),
    ]);
    onA.close();
    onB.close();
    await inbox.waitForCount(1_000);
    expect(inbox.items.map((item) => item.offset)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    expect(new Set(inbox.texts).size).toBe(1_000);
  });

  it('(i) a room member that was offline gets the room messages it missed, on another node', async () => {
    const storage = new MemoryStorage();
    const first = await chatClient(nodeA.url, nodeA.url, 'ivan', { storage });
    await waitFor(() => first.connected, { timeoutMs: 10_000, message: 'ivan never connected' });
    expect(await first.socket.timeout(5_000).emitWithAck('join', { room: 'lobby' })).toEqual({ room: 'lobby' });
    const talker = await connectRaw(nodeB.url, { token: await devToken(nodeB.url, 'tara') });
    const firstInbox = new Inbox<{ text: string }>(first, 'room:message');
    await pacedEmits(talker, 1, 100, () => ['room:send', { room: 'lobby', text: 'r-live' }]);
    await firstInbox.waitForCount(1);
    await first.close();

    await pacedEmits(talker, 20, 200, (i) => ['room:send', { room: 'lobby', text: `r${i}` }]);
    const back = await chatClient(nodeB.url, nodeB.url, 'ivan', { storage });
    clients.push(back);
    const inbox = new Inbox<{ room: string; from: string; text: string }>(back, 'room:message');
    await inbox.waitForCount(20);
    await pacedEmits(talker, 1, 100, () => ['room:send', { room: 'lobby', text: 'r-after' }]);
    await inbox.waitForCount(21);
    talker.close();

    expect(inbox.texts).toEqual([...Array.from({ length: 20 }, (_, i) => `r${i}`), 'r-after']);
    expect(inbox.items[0]).toMatchObject({ stream: 'room:lobby', offset: 2, data: { room: 'lobby', from: 'tara' } });
  });
});
