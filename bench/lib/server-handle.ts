import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  BurstReply, BurstRequest, CampaignReply, CampaignRequest, JoinRequest, PacedEmitReply, PacedEmitRequest, PrefillReply, PrefillRequest,
  ReplyEnvelope, RequestEnvelope, ServerKind, ServerRequest, Snapshot, StartReply,
} from './server-protocol.js';
import { withDeadline } from './timing.js';

const SERVER_ENTRY = fileURLToPath(new URL('./server-process.js', import.meta.url));

/**
 * Extra node flags for the server processes, e.g. `BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=bench/profiles"`
 * to see where a server's time goes (one .cpuprofile per server process, written when it stops).
 */
const EXTRA_FLAGS = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** Longest any single request may take (a burst of 20,000 reliable emits included). */
const REQUEST_TIMEOUT_MS = 60_000;

/** The bench's end of one server process: typed requests over IPC, each bounded in time. */
export class ServerHandle {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  port = 0;

  private constructor(
    readonly kind: ServerKind,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (envelope: ReplyEnvelope) => {
      const waiter = this.pending.get(envelope.id);
      this.pending.delete(envelope.id);
      if (envelope.ok) waiter?.resolve(envelope.result);
      else waiter?.reject(new Error(`${kind} server: ${envelope.error}`));
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${kind} server exited (code ${code})`));
      this.pending.clear();
    });
  }

  static async start(kind: ServerKind, options: { redisUrl?: string; keyPrefix?: string; retentionMaxLength?: number } = {}): Promise<ServerHandle> {
    // --expose-gc so the bench can collect garbage in the server between runs, outside timed windows.
    const child = fork(SERVER_ENTRY, [], { execArgv: ['--expose-gc', ...EXTRA_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const handle = new ServerHandle(kind, child);
    try {
      const { port } = await handle.request<StartReply>({ op: 'start', kind, ...options });
      handle.port = port;
      return handle;
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  burst(request: Omit<BurstRequest, 'op'>): Promise<BurstReply> {
    return this.request<BurstReply>({ op: 'burst', ...request });
  }

  snapshot(collectGarbage = false): Promise<Snapshot> {
    return this.request<Snapshot>({ op: 'snapshot', collectGarbage });
  }

  campaign(request: Omit<CampaignRequest, 'op'>): Promise<CampaignReply> {
    return this.request<CampaignReply>({ op: 'campaign', ...request });
  }

  /** Scale bench (reliable servers): see `PacedEmitRequest`, `PrefillRequest`, `JoinRequest`. */
  pacedEmit(request: Omit<PacedEmitRequest, 'op'>): Promise<PacedEmitReply> {
    return this.request<PacedEmitReply>({ op: 'pacedEmit', ...request });
  }

  prefill(request: Omit<PrefillRequest, 'op'>): Promise<PrefillReply> {
    return this.request<PrefillReply>({ op: 'prefill', ...request });
  }

  join(request: Omit<JoinRequest, 'op'>): Promise<void> {
    return this.request<void>({ op: 'join', ...request });
  }

  socketCount(user: string): Promise<number> {
    return this.request<number>({ op: 'socketCount', user });
  }

  /** Stops the server; kills the process if it does not leave by itself. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request({ op: 'stop' }).catch(() => undefined);
    await withDeadline(exited, 5_000, `${this.kind} server exit`).catch(() => this.child.kill('SIGKILL'));
  }

  private request<T>(request: ServerRequest): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.child.send({ ...request, id } satisfies RequestEnvelope);
    return withDeadline(reply, REQUEST_TIMEOUT_MS, `${this.kind} server ${request.op}`).finally(() => this.pending.delete(id));
  }
}
