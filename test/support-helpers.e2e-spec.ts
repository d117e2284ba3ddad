/**
 * Self-tests of the e2e helpers in test/support: they are what every failure-injection test relies on,
 * so their fault behaviour is pinned down here with real sockets and real processes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Server as IoServer } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import ts from 'typescript';
import { AppProcess } from './support/app-process.js';
import { freePort } from './support/free-port.js';
import { killAllChildProcesses, processReaper } from './support/process-reaper.js';
import { pingRedis, redisServerPid } from './support/redis-ping.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { RedisServerProcess } from './support/redis-server.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { sleep, waitFor, WaitTimeoutError } from './support/wait.js';

/** How long a negative assertion ("nothing arrives") watches. */
const QUIET_MS = 300;

afterAll(() => killAllChildProcesses());

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('wait', () => {
  it('waitFor resolves as soon as the predicate holds', async () => {
    let calls = 0;
    await waitFor(() => ++calls >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('waitFor accepts async predicates', async () => {
    const start = Date.now();
    await waitFor(async () => Date.now() - start > 30, { timeoutMs: 1000, intervalMs: 5 });
  });

  it('waitFor times out with the message, attempt count and last predicate error', async () => {
    const failing = waitFor(
      () => {
        throw new Error('backend down');
      },
      { timeoutMs: 100, intervalMs: 10, message: 'replay to finish' },
    );
    await expect(failing).rejects.toThrow(WaitTimeoutError);
    await expect(
      waitFor(() => false, { timeoutMs: 50, message: () => 'lazy message' }),
    ).rejects.toThrow(/^lazy message not met within 50ms \(\d+ attempts\)$/);
    await failing.catch((error: Error) => {
      expect(error.message).toMatch(/^replay to finish not met within 100ms \(\d+ attempts\); last error: Error: backend down$/);
    });
  });

  it('sleep waits about the given time', async () => {
    const start = Date.now();
    await sleep(30);
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);
  });
});

describe('freePort', () => {
  it('returns a bindable port on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

/** A TCP echo server that prefixes replies and exposes its server-side sockets. */
class EchoServer {
  readonly sockets: Socket[] = [];
  private constructor(readonly server: Server, readonly port: number) {}

  static async start(prefix = ''): Promise<EchoServer> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => socket.write(prefix ? Buffer.concat([Buffer.from(prefix), chunk]) : chunk));
      socket.on('end', () => socket.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const echo = new EchoServer(server, (server.address() as AddressInfo).port);
    (echo as { sockets: Socket[] }).sockets = sockets;
    return echo;
  }

  get open(): Socket[] {
    return this.sockets.filter((socket) => !socket.destroyed);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A client socket that records what it receives and how it ended. */
interface Probe {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
  ended: () => boolean;
  errorCode: () => string | undefined;
}

async function connectProbe(port: number): Promise<Probe> {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  let closed = false;
  let ended = false;
  let errorCode: string | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('end', () => (ended = true));
  socket.on('close', () => (closed = true));
  socket.on('error', (error: NodeJS.ErrnoException) => (errorCode = error.code));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => received, closed: () => closed, ended: () => ended, errorCode: () => errorCode };
}

async function expectEcho(probe: Probe, text: string, expected = text): Promise<void> {
  const before = probe.received().length;
  probe.socket.write(text);
  await waitFor(() => probe.received().length >= before + expected.length, {
    timeoutMs: 2000,
    message: () => `echo of ${JSON.stringify(text)} (got ${JSON.stringify(probe.received())})`,
  });
  expect(probe.received().slice(before)).toBe(expected);
}

describe('TcpProxy', () => {
  let echo: EchoServer;
  let proxy: TcpProxy;
  const probes: Probe[] = [];
  const probe = async (port = proxy.port): Promise<Probe> => {
    const created = await connectProbe(port);
    probes.push(created);
    return created;
  };

  beforeAll(async () => {
    echo = await EchoServer.start();
  });
  afterAll(async () => {
    await echo.stop();
  });
  afterEach(async () => {
    for (const created of probes.splice(0)) created.socket.destroy();
    await proxy?.stop();
  });

  it('forwards bytes both ways and counts connections', async () => {
    proxy = await TcpProxy.start({ targetPort: echo.port });
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(proxy.connections).toBe(0);
    const client = await probe();
    await expectEcho(client, 'hello');
    expect(proxy.connections).toBe(1);
    client.socket.end();
    await waitFor(() => proxy.connections === 0, { timeoutMs: 2000, message: 'connection to be forgotten after a clean close' });
    expect(client.ended()).toBe(true);
    expect(client.errorCode()).toBeUndefined();
  });

  it('forwards large transfers intact (backpressure)', async () => {
    proxy = await TcpProxy.start({ targetPort: echo.port });
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    const payload = Buffer.alloc(8 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz');
    const chunks: Buffer[] = [];
    let total = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
    });
    socket.write(payload);
    await waitFor(() => total >= payload.length, { timeoutMs: 10_000, message: () => `8 MiB echo (got ${total} bytes)` });
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    socket.destroy();
  });

  it('closeAll resets both sides of every connection', async () => {
    proxy = await TcpProxy.start({ targetPort: echo.port });
    const first = await probe();
    const second = await probe();
    await expectEcho(first, 'a');
    await expectEcho(second, 'b');
    const serverSides = echo.open.slice(-2);
    expect(proxy.connections).toBe(2);
    proxy.closeAll();
    await waitFor(() => first.closed() && second.closed(), { timeoutMs: 2000, message: 'clients to see close' });
    expect(first.errorCode()).toBe('ECONNRESET');
    await waitFor(() => serverSides.every((socket) => socket.destroyed), { timeoutMs: 2000, message: 'server sides to close' });
    await waitFor(() => proxy.connections === 0, { timeoutMs: 2000, message: 'proxy to forget the connections' });
    // The proxy still accepts new connections.
    await expectEcho(await probe(), 'again');
  });

  it('blackhole silences existing connections in both directions without closing anything', async () => {
    proxy = await TcpProxy.start({ targetPort: echo.port });
    const client = await probe();
    await expectEcho(client, 'before');
    const serverSide = echo.open.at(-1)!;
    let serverReceived = '';
    serverSide.on('data', (chunk: Buffer) => (serverReceived += chunk.toString()));

    proxy.blackhole();
    expect(proxy.isBlackholed).toBe(true);
    client.socket.write('lost upstream');
    serverSide.write('lost downstream');
    await sleep(QUIET_MS);
    expect(serverReceived).toBe('');
    expect(client.received()).toBe('before');

    // A FIN from the server is swallowed too: the client keeps a half-dead connection.
    serverSide.end();
    await sleep(QUIET_MS);
    expect(client.ended()).toBe(false);
    expect(client.closed()).toBe(false);
    expect(client.socket.destroyed).toBe(false);
    expect(proxy.connections).toBe(1);

    // Restoring does not revive a blackholed connection...
    proxy.blackhole(false);
    client.socket.write('still lost');
    await sleep(QUIET_MS);
    expect(client.received()).toBe('before');
    // ...until its client gives up, after which the proxy forgets it.
    client.socket.destroy();
    await waitFor(() => proxy.connections === 0, { timeoutMs: 2000, message: 'dead connection to be forgotten' });
  });

  it('blackhole accepts new connections but forwards nothing; blackhole(false) restores new connections', async () => {
    proxy = await TcpProxy.start({ targetPort: echo.port });
    const serverConnectionsBefore = echo.sockets.length;
    proxy.blackhole(true);
    const during = await probe();
    during.socket.write('nobody hears this');
    await sleep(QUIET_MS);
    expect(during.received()).toBe('');
    expect(during.closed()).toBe(false);
    expect(echo.sockets.length).toBe(serverConnectionsBefore); // no backend connection was opened
    expect(proxy.connections).toBe(1);

    proxy.blackhole(false);
    const after = await probe();
    await expectEcho(after, 'restored');
    expect(during.received()).toBe('');
    expect(proxy.connections).toBe(2);
  });

  it('closeAll also terminates blackholed connections', async () => {
    proxy = await TcpProxy.start({ targetPort: echo.port });
    const client = await probe();
    await expectEcho(client, 'x');
    proxy.blackhole();
    proxy.closeAll();
    await waitFor(() => client.closed(), { timeoutMs: 2000, message: 'blackholed client to be reset' });
    await waitFor(() => proxy.connections === 0, { timeoutMs: 2000, message: 'connections to reach 0' });
  });

  it('retarget sends new connections to another backend, leaving existing ones alone', async () => {
    const other = await EchoServer.start('B:');
    try {
      proxy = await TcpProxy.start({ targetPort: echo.port });
      const old = await probe();
      await expectEcho(old, 'one');
      proxy.retarget(other.port);
      expect(proxy.target).toEqual({ host: '127.0.0.1', port: other.port });
      const fresh = await probe();
      await expectEcho(fresh, 'two', 'B:two');
      await expectEcho(old, 'three');
    } finally {
      await other.stop();
    }
  });

  it('resets the client when the backend refuses the connection', async () => {
    proxy = await TcpProxy.start({ targetPort: await freePort() });
    const client = await probe();
    await waitFor(() => client.closed(), { timeoutMs: 2000, message: 'client to be closed' });
    expect(client.received()).toBe('');
    await waitFor(() => proxy.connections === 0, { timeoutMs: 2000, message: 'connections to reach 0' });
  });

  it('listens on a requested port and stop() releases it', async () => {
    const port = await freePort();
    proxy = await TcpProxy.start({ targetPort: echo.port, listenPort: port });
    expect(proxy.port).toBe(port);
    const client = await probe(port);
    await expectEcho(client, 'p');
    await proxy.stop();
    await proxy.stop(); // idempotent
    await waitFor(() => client.closed(), { timeoutMs: 2000, message: 'client to be closed by stop()' });
    await expect(connectProbe(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // The port can be reused right away, e.g. to "bring the network back".
    proxy = await TcpProxy.start({ targetPort: echo.port, listenPort: port });
    await expectEcho(await probe(port), 'back');
  });

  it('blackhole leaves Socket.IO client and server with a half-dead connection until their heartbeats time out', async () => {
    const httpServer = createHttpServer();
    const ioServer = new IoServer(httpServer, { pingInterval: 200, pingTimeout: 300, transports: ['websocket'] });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const serverReasons: string[] = [];
    ioServer.on('connection', (socket) => socket.on('disconnect', (reason) => serverReasons.push(reason)));
    proxy = await TcpProxy.start({ targetPort: (httpServer.address() as AddressInfo).port });
    const client = ioClient(proxy.url, { transports: ['websocket'], reconnection: false });
    const clientReasons: string[] = [];
    client.on('disconnect', (reason) => clientReasons.push(reason));
    try {
      await waitFor(() => client.connected && ioServer.sockets.sockets.size === 1, { timeoutMs: 5000, message: 'Socket.IO connection' });
      await sleep(500); // a few healthy heartbeats through the proxy
      expect(client.connected).toBe(true);

      const blackholedAt = Date.now();
      proxy.blackhole();
      await waitFor(() => serverReasons.length > 0 && clientReasons.length > 0, {
        timeoutMs: 5000,
        message: () => `both sides to time out (server: ${serverReasons}, client: ${clientReasons})`,
      });
      expect(serverReasons).toEqual(['ping timeout']);
      expect(clientReasons).toEqual(['ping timeout']);
      expect(Date.now() - blackholedAt).toBeGreaterThanOrEqual(200);
    } finally {
      client.close();
      // Without this, closing the server waits ~30s: ws waits that long for the close frame the blackhole ate.
      proxy.closeAll();
      await ioServer.close();
    }
  });
});

describe('RedisServerProcess', () => {
  let redis: RedisServerProcess | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('starts on a free port, restarts empty on the same port, survives kill + restart', async () => {
    redis = await RedisServerProcess.start();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await pingRedis(redis.port)).toBe(true);
    expect(await redisServerPid(redis.port)).toBe(redis.pid);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    client.on('error', () => undefined);
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');

      const firstPid = redis.pid!;
      await redis.restart();
      expect(redis.pid).not.toBe(firstPid);
      expect(isAlive(firstPid)).toBe(false);
      expect(await pingRedis(redis.port)).toBe(true);
      await waitFor(async () => (await client.dbsize().catch(() => -1)) === 0, { timeoutMs: 5000, message: 'client to reconnect to an empty Redis' });

      await client.set('k', 'v2');
      const pid = redis.pid!;
      await redis.kill();
      expect(redis.running).toBe(false);
      expect(redis.pid).toBeUndefined();
      expect(isAlive(pid)).toBe(false);
      expect(await pingRedis(redis.port)).toBe(false);

      await redis.restart();
      await waitFor(async () => (await client.get('k').catch(() => 'error')) === null, { timeoutMs: 5000, message: 'data to be gone after kill + restart' });
      await redis.kill();
      await redis.kill(); // no-op when not running
    } finally {
      client.disconnect();
    }
    expect(redis.output()).toMatch(/Ready to accept connections/);
  });

  it('honours an explicit port and reports a failed start with its output', async () => {
    const port = await freePort();
    redis = await RedisServerProcess.start({ port });
    expect(redis.port).toBe(port);
    const failed = RedisServerProcess.start({ port, timeoutMs: 5000 });
    await expect(failed).rejects.toThrow(/redis-server :\d+ \(pid \d+\) exited \(code 1\) before answering[\s\S]*Address already in use/);
  });

  it('reports a missing binary clearly', async () => {
    await expect(RedisServerProcess.start({ binary: '/nonexistent/redis-server' })).rejects.toThrow(/failed to start: spawn \/nonexistent\/redis-server ENOENT/);
  });
});

describe('redis key prefixes', () => {
  let redis: RedisServerProcess;
  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('redisUrl defaults to the shared local instance', () => {
    const saved = process.env.REDIS_URL;
    try {
      delete process.env.REDIS_URL;
      expect(redisUrl()).toBe('redis://127.0.0.1:6379');
      process.env.REDIS_URL = 'redis://127.0.0.1:7000';
      expect(redisUrl()).toBe('redis://127.0.0.1:7000');
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });

  it('testKeyPrefix is unique per call and tagged', () => {
    const a = testKeyPrefix('replay');
    const b = testKeyPrefix('replay');
    expect(a).toMatch(/^rs-test:replay:[0-9a-f]{8}:$/);
    expect(a).not.toBe(b);
    expect(testKeyPrefix('a b:c')).toMatch(/^rs-test:a-b-c:[0-9a-f]{8}:$/);
  });

  it('deleteKeysWithPrefix deletes exactly the prefixed keys, across many SCAN batches', async () => {
    const client = new Redis(redis.url);
    try {
      const prefix = `${testKeyPrefix('prefix')}glob*?[x]:`;
      const siblingPrefix = `${prefix.slice(0, -6)}other:`; // shares the head, must survive
      const pipeline = client.pipeline();
      for (let i = 0; i < 2500; i++) pipeline.set(`${prefix}${i}`, '1');
      pipeline.set(`${siblingPrefix}keep`, '1');
      pipeline.set('unrelated', '1');
      await pipeline.exec();
      expect(await deleteKeysWithPrefix(redis.url, prefix)).toBe(2500);
      expect(await client.dbsize()).toBe(2);
      expect(await deleteKeysWithPrefix(redis.url, prefix)).toBe(0);
      await expect(deleteKeysWithPrefix(redis.url, '')).rejects.toThrow(/empty prefix/);
    } finally {
      client.disconnect();
    }
  });

  it('deleteKeysWithPrefix fails fast when Redis is unreachable', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(deleteKeysWithPrefix(url, 'x:', { timeoutMs: 2000 })).rejects.toThrow();
  });
});

describe('AppProcess', () => {
  let dir: string;
  let entry: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rs-app-process-'));
    entry = join(dir, 'server.mjs');
    await writeFile(
      entry,
      `import { createServer } from 'node:http';
const port = Number(process.env.PORT);
if (process.env.MODE === 'crash') { console.error('boom: cannot start'); process.exit(3); }
if (process.env.MODE === 'silent') { setInterval(() => {}, 1000); }
else {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ pid: process.pid, env: { NODE_ENV: process.env.NODE_ENV, REDIS_URL: process.env.REDIS_URL ?? null, FOO: process.env.FOO ?? null } }));
  });
  server.listen(port, '127.0.0.1', () => console.log('[test-app] listening on ' + port));
  process.on('SIGTERM', () => {
    console.log('got SIGTERM');
    if (process.env.MODE === 'stubborn') return;
    server.close(() => process.exit(0));
  });
}
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function info(app: AppProcess): Promise<{ pid: number; env: Record<string, string | null> }> {
    const response = await fetch(app.url);
    return (await response.json()) as { pid: number; env: Record<string, string | null> };
  }

  it('starts with PORT, NODE_ENV=test and the given env, not inheriting app settings', async () => {
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    let app: AppProcess | undefined;
    try {
      app = await AppProcess.start({ entry, env: { FOO: 'bar' } });
      expect(app.url).toBe(`http://127.0.0.1:${app.port}`);
      const body = await info(app);
      expect(body.pid).toBe(app.pid);
      expect(body.env).toEqual({ NODE_ENV: 'test', REDIS_URL: null, FOO: 'bar' });
      expect(app.output()).toContain(`listening on ${app.port}`);
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
      await app?.stop();
    }
  });

  it('kill() crashes it; restart() brings it back on the same port with the same env', async () => {
    const port = await freePort();
    const app = await AppProcess.start({ entry, port, env: { FOO: 'same' } });
    try {
      const firstPid = app.pid!;
      await app.kill();
      expect(app.running).toBe(false);
      expect(isAlive(firstPid)).toBe(false);
      await expect(fetch(app.url)).rejects.toThrow();
      expect(app.output()).not.toContain('got SIGTERM');

      await app.restart();
      expect(app.port).toBe(port);
      const body = await info(app);
      expect(body.pid).not.toBe(firstPid);
      expect(body.env.FOO).toBe('same');
      expect(app.output()).toContain('----- restart #1 -----');

      // restart() of a running app stops it gracefully first.
      const secondPid = app.pid!;
      await app.restart();
      expect(isAlive(secondPid)).toBe(false);
      expect(app.output()).toContain('got SIGTERM');
      expect((await info(app)).pid).toBe(app.pid);
    } finally {
      await app.stop();
    }
  });

  it('stop() sends SIGTERM and escalates to SIGKILL when the app ignores it', async () => {
    const app = await AppProcess.start({ entry, env: { MODE: 'stubborn' } });
    const pid = app.pid!;
    const start = Date.now();
    await app.stop(300);
    expect(Date.now() - start).toBeGreaterThanOrEqual(250);
    expect(isAlive(pid)).toBe(false);
    expect(app.output()).toMatch(/got SIGTERM[\s\S]*still running 300ms after SIGTERM; sending SIGKILL/);
  });

  it('waitForOutput waits for later log lines', async () => {
    const app = await AppProcess.start({ entry });
    try {
      const waiting = app.waitForOutput(/got SIGTERM/, 5000);
      process.kill(app.pid!, 'SIGTERM');
      await expect(waiting).resolves.toBeTruthy();
    } finally {
      await app.stop();
    }
  });

  it('a start that crashes fails fast with the exit code and the output', async () => {
    const start = Date.now();
    await expect(AppProcess.start({ entry, env: { MODE: 'crash' } })).rejects.toThrow(/exited \(code 3\) before printing[\s\S]*boom: cannot start/);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('a start that never becomes ready times out, includes the output and leaves no process behind', async () => {
    const before = processReaper.pids.length;
    await expect(AppProcess.start({ entry, env: { MODE: 'silent' }, timeoutMs: 500 })).rejects.toThrow(/did not print .* within 500ms[\s\S]*Output:/);
    expect(processReaper.pids.length).toBe(before);
  });

  it('a missing entry is reported before spawning', async () => {
    await expect(AppProcess.start({ entry: join(dir, 'missing.js') })).rejects.toThrow(/missing\.js does not exist/);
  });
});

describe('process reaper', () => {
  it('kills tracked children when the tracking process is SIGKILLed', async () => {
    // Run the real reaper module in a throwaway "test process", then crash that process.
    const dir = await mkdtemp(join(tmpdir(), 'rs-reaper-'));
    try {
      const source = await readFile(fileURLToPath(new URL('./support/process-reaper.ts', import.meta.url)), 'utf8');
      const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      await writeFile(join(dir, 'process-reaper.mjs'), compiled.outputText);
      await writeFile(
        join(dir, 'parent.mjs'),
        `import { spawn } from 'node:child_process';
import { processReaper } from './process-reaper.mjs';
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
processReaper.track(child);
console.log('child ' + child.pid);
setInterval(() => {}, 1000);
`,
      );
      const parent = spawn(process.execPath, [join(dir, 'parent.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await waitFor(() => /child \d+/.test(out), { timeoutMs: 5000, message: 'parent to report its child' });
      const childPid = Number(/child (\d+)/.exec(out)![1]);
      expect(isAlive(childPid)).toBe(true);
      await sleep(200); // let the reaper start and read the pid
      parent.kill('SIGKILL');
      await waitFor(() => !isAlive(childPid), { timeoutMs: 5000, message: `orphan ${childPid} to be reaped` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
