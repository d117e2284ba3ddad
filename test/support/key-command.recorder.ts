import type { Redis } from 'ioredis';
import { waitFor } from './wait.js';

/**
 * Records, through MONITOR, the commands a client sends that name a key under `keyPrefix` (commands run
 * inside Lua scripts excluded): what a store really sends per operation. MONITOR echoes asynchronously,
 * so an `EXISTS` on a marker key shows when it has caught up, at the start and at the end; the end
 * marker's `EXISTS` is the last command recorded.
 *
 * @example
 * const recorder = await KeyCommandRecorder.start(client, keyPrefix);
 * await store.append(key, input);
 * expect(await recorder.stopNames()).toEqual(['evalsha', 'exists']);
 */
export class KeyCommandRecorder {
  private readonly seen: string[][] = [];

  private constructor(
    private readonly client: Redis,
    private readonly monitor: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Resolves once MONITOR has caught up with everything the client sent before. */
  static async start(client: Redis, keyPrefix: string): Promise<KeyCommandRecorder> {
    const recorder = new KeyCommandRecorder(client, await client.monitor(), keyPrefix);
    recorder.monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((arg) => arg.startsWith(keyPrefix))) recorder.seen.push(args);
    });
    await recorder.marker('start');
    recorder.seen.length = 0;
    return recorder;
  }

  /** Waits for the end marker, stops, and resolves to every command recorded, with its arguments. */
  async stop(): Promise<string[][]> {
    await this.marker('end');
    this.disconnect();
    return [...this.seen];
  }

  /** {@link stop}, with the command names only, lower-cased. */
  async stopNames(): Promise<string[]> {
    return (await this.stop()).map(([command]) => command.toLowerCase());
  }

  /** Closes the MONITOR connection (idempotent); for `finally` blocks. */
  disconnect(): void {
    this.monitor.disconnect();
  }

  private async marker(name: string): Promise<void> {
    await this.client.exists(`${this.keyPrefix}${name}`);
    await waitFor(() => this.seen.some(([command]) => command.toLowerCase() === 'exists'), { message: `MONITOR to show the ${name} marker` });
  }
}
