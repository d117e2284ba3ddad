import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { waitFor } from './wait.js';

/**
 * Records, through MONITOR, the commands a client sends that name a key under `keyPrefix` (commands run
 * inside Lua scripts excluded): what a store really sends per operation. MONITOR echoes asynchronously,
 * so an `EXISTS` on a marker key shows when it has caught up, at the start and at the end; the end
 * marker's `EXISTS` is the last command recorded.
 *
 * MONITOR is read on a raw socket, not through `ioredis`' `monitor()`: that one marks the connection as
 * monitoring only a microtask after MONITOR's `OK`, so on a busy server (other test files share it) a
 * command echoed in the same TCP chunk as the `OK` is taken for a reply and rejects `monitor()` with
 * "Command queue state error".
 *
 * @example
 * const recorder = await KeyCommandRecorder.start(client, keyPrefix);
 * await store.append(key, input);
 * expect(await recorder.stopNames()).toEqual(['evalsha', 'exists']);
 */
export class KeyCommandRecorder {
  private readonly seen: string[][] = [];
  private pending = '';
  private failure: Error | undefined;
  /** `+OK` replies still expected (AUTH's, MONITOR's); echoes count only after the last. */
  private awaitedOks = 0;

  private constructor(
    private readonly client: Redis,
    private readonly monitor: Socket,
    private readonly keyPrefix: string,
  ) {
    monitor.setEncoding('utf8');
    monitor.on('data', (chunk: string) => this.read(chunk));
    monitor.on('error', (error) => (this.failure = error));
  }

  /** Resolves once MONITOR has caught up with everything the client sent before. */
  static async start(client: Redis, keyPrefix: string): Promise<KeyCommandRecorder> {
    const { host = '127.0.0.1', port = 6379, username, password } = client.options;
    const socket = connect({ host, port });
    const recorder = new KeyCommandRecorder(client, socket, keyPrefix);
    await once(socket, 'connect');
    if (password) recorder.send(username ? ['AUTH', username, password] : ['AUTH', password]);
    recorder.send(['MONITOR']);
    await waitFor(() => recorder.monitoring(), { message: 'MONITOR to answer OK' });
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
    this.monitor.destroy();
  }

  private send(args: string[]): void {
    this.awaitedOks += 1;
    this.monitor.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
  }

  private monitoring(): boolean {
    if (this.failure) throw this.failure;
    return this.awaitedOks === 0;
  }

  private async marker(name: string): Promise<void> {
    await this.client.exists(`${this.keyPrefix}${name}`);
    await waitFor(() => this.monitoring() && this.seen.some(([command]) => command.toLowerCase() === 'exists'), {
      message: `MONITOR to show the ${name} marker`,
    });
  }

  private read(chunk: string): void {
    const lines = (this.pending + chunk).split('\r\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('-')) this.failure = new Error(`MONITOR failed: ${line.slice(1)}`);
      if (line === '+OK' && this.awaitedOks > 0) {
        this.awaitedOks -= 1;
        continue;
      }
      const echoed = parseMonitorLine(line);
      if (echoed && echoed.source !== 'lua' && echoed.args.some((arg) => arg.startsWith(this.keyPrefix))) this.seen.push(echoed.args);
    }
  }
}

/** `+1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v"` → its source and arguments; `undefined` for `+OK`. */
function parseMonitorLine(line: string): { source: string; args: string[] } | undefined {
  const match = /^\+\S+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
  if (!match) return undefined;
  const args = [...match[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(([, quoted]) => quoted.replace(/\\(["\\])/g, '$1'));
  return { source: match[1], args };
}
