/**
 * Issue 3 end to end with real sample-app processes: the sender's node is SIGKILLed in the middle of
 * 2,000 `client.send`s and the sender carries on through another node; a reloaded page resends its
 * persisted outbox. Every message reaches the recipient exactly once.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { AppProcess } from './support/app-process.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { sleep, waitFor } from './support/wait.js';
import { chatClient, Inbox, nodeEnv } from './fixtures/chat.fixtures.js';

describe('@Reliable() sends across node failures (sample app, redis)', () => {
  const prefix = testKeyPrefix('reliable-failover');
  let nodeA: AppProcess;
  let nodeB: AppProcess;
  let proxy: TcpProxy;
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    const env = nodeEnv({ REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, RELIABLE_LEASE_MS: '1000' });
    [nodeA, nodeB] = await Promise.all([AppProcess.start({ env }), AppProcess.start({ env })]);
    proxy = await TcpProxy.start({ targetPort: nodeA.port });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await proxy?.stop();
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  /** Every text `${prefix}0..count-1` exactly once, in offsets 1..count with none missing. */
  function expectEachOnce(inbox: Inbox<{ text: string }>, textPrefix: string, count: number): void {
    const texts = inbox.texts.filter((text) => text.startsWith(textPrefix));
    expect(texts.length).toBe(count);
    expect(new Set(texts).size).toBe(count);
    expect(inbox.items.map((item) => item.offset)).toEqual(Array.from({ length: inbox.items.length }, (_, i) => i + 1));
  }

  it('2,000 sends while the sender\'s node is SIGKILLed: each handler side effect once, each message received once', async () => {
    const receiver = await chatClient(nodeB.url, nodeB.url, 'rosa');
    clients.push(receiver);
    const inbox = new Inbox<{ text: string }>(receiver, 'message');
    const sender = await chatClient(proxy.url, nodeB.url, 'sven');
    clients.push(sender);
    await waitFor(() => sender.connected && receiver.connected, { timeoutMs: 10_000, message: 'clients never connected' });

    const sends: Promise<unknown>[] = [];
    const started = Date.now();
    let killed = false;
    for (let i = 0; i < 2_000; i += 1) {
      const wait = started + i * 2 - Date.now(); // ~500 per second
      if (wait > 0) await sleep(wait);
      if (!killed && i === 750) {
        killed = true;
        await nodeA.kill();
        proxy.retarget(nodeB.port);
        proxy.closeAll();
      }
      sends.push(sender.send('send', { to: 'rosa', text: `k${i}` }));
    }
    const acks = (await Promise.all(sends)) as Array<{ offset: number }>;
    expect(new Set(acks.map((ack) => ack.offset)).size).toBe(2_000);
    await inbox.waitForCount(2_000, 30_000);
    await sleep(300);
    expectEachOnce(inbox, 'k', 2_000);
    expect(await sender.pending()).toEqual([]);
  });

  it('a reload with 100 messages pending in the outbox delivers each once', async () => {
    await nodeA.restart();
    proxy.retarget(nodeA.port);
    const receiver = await chatClient(nodeB.url, nodeB.url, 'rhea');
    clients.push(receiver);
    const inbox = new Inbox<{ text: string }>(receiver, 'message');
    const storage = new MemoryStorage();
    const page = await chatClient(proxy.url, nodeA.url, 'sara', { storage });
    await waitFor(() => page.connected, { timeoutMs: 10_000, message: 'sender never connected' });
    proxy.blackhole(true); // the network dies with the sends in flight: none is acknowledged
    const lost = Array.from({ length: 100 }, (_, i) => page.send('send', { to: 'rhea', text: `p${i}` }).catch(() => undefined));
    await sleep(200);
    await page.close(); // the page reloads
    proxy.closeAll();
    proxy.blackhole(false);
    void lost;

    const reloaded = await chatClient(proxy.url, nodeA.url, 'sara', { storage, autoConnect: false });
    clients.push(reloaded);
    const pending = await reloaded.pending();
    expect(pending.map((message) => (message.data as { text: string }).text)).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
    reloaded.connect();
    await waitFor(async () => (await reloaded.pending()).length === 0, { timeoutMs: 15_000, message: 'outbox never drained' });
    await inbox.waitForCount(100);
    await sleep(300);
    expectEachOnce(inbox, 'p', 100);
  });
});
