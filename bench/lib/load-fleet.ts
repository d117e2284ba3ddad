import { MemoryStorage, type ReliableClient, type StorageLike } from '@reliable-socket/client';
import { reliableClient, whenSynced } from './clients.js';
import { runBounded } from './emit-pool.js';
import type { LoadRound } from './load-round.js';
import { LOAD_EVENT, type LoadPayload } from './payload.js';
import type { ServerHandle } from './server-handle.js';

export interface FleetOptions {
  /** Clients connecting at once. */
  concurrency: number;
  /** How long one client may take from construction to `rs:synced`. */
  syncTimeoutMs: number;
  /** Storage (and its base key) of client `index`; default a fresh `MemoryStorage` under the SDK's default key. */
  storageOf?: (index: number) => { storage: StorageLike; storageKey?: string };
}

/**
 * Real `ReliableClient`s, one per user, each counted as up at `rs:synced` (the server's per-connection
 * work done). Client `index` is target `index` of the paced rounds: its handler of {@link LOAD_EVENT}
 * feeds the round under way, and a message outside any round is counted as stray.
 */
export class LoadFleet {
  round: LoadRound | undefined;
  stray = 0;
  /** SDK `error` lifecycle events (refused handshakes, which the SDK retries) while opening and since. */
  errors = 0;
  readonly clients: ReliableClient[] = [];

  private constructor() {}

  /** Opens one client per user, `concurrency` at a time; rejects on the first that fails (all are closed). */
  static async open(server: ServerHandle, users: string[], options: FleetOptions): Promise<LoadFleet> {
    const fleet = new LoadFleet();
    try {
      await runBounded(users.length, options.concurrency, async (index) => {
        const { storage, storageKey } = options.storageOf?.(index) ?? { storage: new MemoryStorage() };
        const client = reliableClient(server, users[index], storage, undefined, storageKey === undefined ? {} : { storageKey });
        fleet.clients[index] = client;
        client.lifecycle.on('error', () => (fleet.errors += 1));
        client.on<LoadPayload>(LOAD_EVENT, (payload) => fleet.deliver(index, payload));
        await whenSynced(client, options.syncTimeoutMs);
      });
    } catch (error) {
      await fleet.close();
      throw error;
    }
    return fleet;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.filter(Boolean).map((client) => client.close()));
  }

  private deliver(index: number, payload: LoadPayload): void {
    if (this.round) this.round.record(index, payload);
    else this.stray += 1;
  }
}
