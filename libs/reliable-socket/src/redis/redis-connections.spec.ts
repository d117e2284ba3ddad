import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { sleep, waitFor } from '../../../../test/support/wait.js';
import { RedisConnections } from './redis-connections.js';

/** A TCP server that accepts and never answers: the library's connections stay short of ready. */
async function silentServer(): Promise<{ url: string; dropClients: () => void; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const dropClients = (): void => sockets.splice(0).forEach((socket) => socket.destroy());
  return { url: `redis://127.0.0.1:${port}`, dropClients, close: () => (server.close(), dropClients()) };
}


describe('RedisConnections', () => {
  let redis: Awaited<ReturnType<typeof silentServer>>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeAll(async () => {
    redis = await silentServer();
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
    redis.close();
  });

  it('closes without an unhandled rejection while the adapter publisher holds publishes nobody awaits', async () => {
    const connections = await RedisConnections.open(redis.url, 500);
    await sleep(100); // connected at the TCP level, never ready: a publish waits in the offline queue
    expect(connections.adapterPub.status).not.toBe('ready');
    void connections.adapterPub.publish('channel', 'message'); // as the adapter does: no handler of its own
    await connections.close();
    redis.dropClients(); // the closing connections' sockets end: their queued commands are rejected ("Connection is closed.")
    await waitFor(() => connections.adapterPub.status === 'end', { timeoutMs: 2_000, message: 'the adapter publisher to end' });
    await sleep(50);
    expect(unhandled).toEqual([]);
  });
});
