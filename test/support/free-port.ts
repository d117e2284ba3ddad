import { createServer, type AddressInfo } from 'node:net';

/**
 * Returns a TCP port that was free on 127.0.0.1 a moment ago: binds port 0, reads the port the kernel
 * chose, closes the listener. Another process may still grab it before the caller binds it; the kernel
 * hands out ephemeral ports round-robin, so that is rare in practice.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
