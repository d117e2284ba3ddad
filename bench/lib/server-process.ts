/**
 * Entry point of a server process (forked by ServerHandle); one server per process. Answers the requests
 * of `server-protocol.ts` over the IPC channel; exits when asked to stop or when the parent goes.
 */
import type { BenchServer } from './bench-server.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { startNestPlainApp } from './nest-plain-app.js';
import { startPlainServer } from './plain-server.js';
import { startReliableApp } from './reliable-app.js';
import { installRedisWriteCounter } from './redis-write-counter.js';
import { installStoreCallCounter } from './store-call-counter.js';
import type { RedisWriteCounts, RequestEnvelope, ReplyEnvelope, ServerRequest, Snapshot, StartRequest } from './server-protocol.js';
import { collectGarbage, cpuMicros, now } from './timing.js';

let server: BenchServer | undefined;
let redisWrites: () => RedisWriteCounts = () => ({ total: 0, scripts: 0, publish: 0, other: 0 });
let storeCalls: () => { append: number; ack: number } = () => ({ append: 0, ack: 0 });
const loopDelay = new LoopDelayMonitor();

async function start({ kind, redisUrl, keyPrefix, retentionMaxLength }: StartRequest): Promise<BenchServer> {
  switch (kind) {
    case 'plain':
      return startPlainServer(false);
    case 'plain-csr':
      return startPlainServer(true);
    case 'nest-plain':
      return startNestPlainApp();
    case 'reliable-memory':
      storeCalls = installStoreCallCounter();
      return startReliableApp({ keyPrefix: keyPrefix ?? 'rs-bench:', retentionMaxLength });
    case 'reliable-redis':
    case 'reliable-unique-redis': {
      if (!redisUrl) throw new Error(`${kind} needs redisUrl`);
      storeCalls = installStoreCallCounter();
      // Before the app opens its connections, so every one of them is counted.
      redisWrites = installRedisWriteCounter(Number(new URL(redisUrl).port || 6379));
      return startReliableApp({ redisUrl, keyPrefix: keyPrefix ?? 'rs-bench:', uniquePerUser: kind === 'reliable-unique-redis', retentionMaxLength });
    }
  }
}

function requireServer(): BenchServer {
  if (!server) throw new Error('server not started');
  return server;
}

/** A scale-bench operation of the running server; only reliable servers have them. */
function scaleOp<K extends 'pacedEmit' | 'prefill' | 'join'>(name: K): NonNullable<BenchServer[K]> {
  const operation = requireServer()[name];
  if (!operation) throw new Error(`this server has no ${name} operation`);
  return operation as NonNullable<BenchServer[K]>;
}

async function handle(request: ServerRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      server = await start(request);
      return { port: server.port };
    case 'burst': {
      const started = now();
      await requireServer().burst(request);
      return { emitMs: now() - started };
    }
    case 'snapshot': {
      // Twice: objects kept alive only by weak callbacks or finalizers of the first pass go in the second,
      // so heapUsed is what live state really holds.
      if (request.collectGarbage) for (let pass = 0; pass < 2; pass += 1) collectGarbage();
      const { append, ack } = storeCalls();
      const { heapUsed, rss } = process.memoryUsage();
      const snapshot: Snapshot = {
        cpuMicros: cpuMicros(), redisWrites: redisWrites(), appends: append, acks: ack, heapUsed, rss,
        connections: server?.connectionCount() ?? 0, reliableHandlerRuns: server?.reliableHandlerRuns() ?? 0, loopDelay: loopDelay.read(),
      };
      return snapshot;
    }
    case 'socketCount':
      return requireServer().socketCount(request.user);
    case 'campaign': {
      const target = requireServer();
      if (!target.campaign) throw new Error('this server does not run campaigns');
      return target.campaign(request);
    }
    case 'pacedEmit':
      return scaleOp('pacedEmit')(request);
    case 'prefill':
      return scaleOp('prefill')(request);
    case 'join':
      return scaleOp('join')(request);
    case 'stop':
      await server?.close();
      server = undefined;
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (message: RequestEnvelope) => {
  void handle(message).then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function reply(envelope: ReplyEnvelope): void {
  process.send?.(envelope);
}

// An orphaned server would keep its port and Redis connections: leave with the parent.
process.on('disconnect', () => process.exit(0));
