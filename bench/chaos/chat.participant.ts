import { ReliableClient, ReliableSendError, type ReliableClientOptions } from '@reliable-socket/client';
import { sleep } from '../../test/support/wait.js';
import type { DeliveryLedger, SentMessage } from './delivery.ledger.js';
import { SnapshotStorage } from './snapshot.storage.js';

/** Quick to notice a dead connection and to come back: faults arrive every few seconds. */
const CLIENT_OPTIONS: Partial<ReliableClientOptions> = {
  reconnect: { baseMs: 100, maxMs: 1_000 },
  socket: { timeout: 3_000 },
  probeTimeoutMs: 1_000,
  ackTimeoutMs: 5_000,
};

interface ChatPayload {
  text: string;
}

/**
 * One user of the sample chat with its device: a `ReliableClient` on `/chat` over a persistent storage,
 * whose handlers report every message to the ledger. A reload drops the client abruptly and starts a new
 * one over what its storage held at that instant, as a page reload does; the dropped client's later
 * handler calls, acks and errors are the dead page's and are ignored.
 */
export class ChatParticipant {
  private client: ReliableClient;
  private storage = new SnapshotStorage();
  /** Clients of this user that a reload dropped. */
  private readonly retired = new WeakSet<ReliableClient>();
  private reloading = false;

  constructor(
    readonly user: string,
    /** Rooms this user is a member of for the whole run. */
    readonly rooms: readonly string[],
    private readonly url: string,
    private readonly token: string,
    private readonly ledger: DeliveryLedger,
  ) {
    this.client = this.open(this.storage, true);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** False while a reload is replacing the client: sends wait for the new one. */
  get ready(): boolean {
    return !this.reloading;
  }

  /** Makes the user a member of `room` (acknowledged by the server), retrying a few times. */
  async join(room: string): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await this.client.socket.timeout(5_000).emitWithAck('join', { room });
        return;
      } catch (error) {
        lastError = error;
        await sleep(200 * (attempt + 1));
      }
    }
    throw new Error(`${this.user} could not join ${room}: ${(lastError as Error).message}`);
  }

  /** Sends `message` (already in the ledger) through the current client; its outcome goes to the ledger. */
  send(message: SentMessage, text: string): void {
    const client = this.client;
    const [event, data] = message.kind === 'direct' ? ['send', { to: message.target, text }] : ['room:send', { room: message.target, text }];
    client.send<{ offset: number }>(event, data).then(
      (reply) => this.ledger.acked(message.id, reply.offset),
      (error: unknown) => {
        // A dropped page's sends reject as it closes; the ones still in its storage are resent by the next client.
        if (this.retired.has(client)) return;
        this.ledger.rejected(message.id, error instanceof ReliableSendError ? error.code : String(error));
      },
    );
  }

  /** The page goes away at this instant and a new one starts over the storage it left. */
  async reload(): Promise<void> {
    if (this.reloading) return;
    this.reloading = true;
    const dying = this.client;
    // One synchronous step: nothing the dying client does from here on reaches the storage the next one reads.
    this.retired.add(dying);
    this.storage = this.storage.snapshot();
    void dying.close().catch(() => undefined); // the dead page's last writes do not matter
    const next = this.open(this.storage, false);
    this.client = next;
    try {
      // Messages the dead page left unacknowledged: the new client resends them, with no promise to settle.
      const restored = new Map((await next.pending()).map((pending) => [pending.id, messageIdOf(pending.data)]));
      next.lifecycle.on('sent', ({ id, result }) => {
        const messageId = restored.get(id);
        if (messageId) this.ledger.acked(messageId, (result as { offset: number }).offset);
      });
      next.lifecycle.on('error', ({ id, code }) => {
        const messageId = id === undefined ? undefined : restored.get(id);
        if (messageId) this.ledger.rejected(messageId, code ?? 'UNKNOWN');
      });
      next.connect();
    } finally {
      this.reloading = false;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private open(storage: SnapshotStorage, autoConnect: boolean): ReliableClient {
    const client = new ReliableClient(`${this.url}/chat`, { ...CLIENT_OPTIONS, storage, storageKey: `chaos:${this.user}`, autoConnect, auth: { token: this.token } });
    const live = (): boolean => !this.retired.has(client);
    const record = (data: ChatPayload, meta: { stream: string; offset: number }): void => {
      if (live()) this.ledger.delivered(this.user, data?.text, meta);
    };
    client.on<ChatPayload>('message', record);
    client.on<ChatPayload>('room:message', record);
    client.lifecycle.on('connected', () => live() && this.ledger.connection(this.user, true));
    client.lifecycle.on('disconnected', () => live() && this.ledger.connection(this.user, false));
    client.lifecycle.on('gap', (gap) => live() && this.ledger.gap(this.user, gap));
    for (const kind of ['replaced', 'rejected', 'kicked'] as const) {
      client.lifecycle.on(kind, ({ reason }) => live() && this.ledger.halted(this.user, kind, reason));
    }
    return client;
  }
}

/** The chaos message id inside a restored `send`/`room:send` payload. */
function messageIdOf(data: unknown): string | undefined {
  const text = (data as Partial<ChatPayload> | undefined)?.text;
  return typeof text === 'string' ? text.split(':')[1] : undefined;
}
