import { Redis } from 'ioredis';

export interface RedisSnapshot {
  /** `INFO commandstats` calls by command name (lower case), `info` itself excluded. */
  commands: Record<string, number>;
  /** Redis server CPU (user + system), microseconds. */
  cpuMicros: number;
  /** `INFO stats` bytes received from and sent to all clients (server-wide). */
  netInputBytes: number;
  netOutputBytes: number;
}

/** Upper bound on SCAN iterations when deleting the run's keys (COUNT 1000 each). */
const MAX_SCAN_ITERATIONS = 10_000;
/** MEMORY USAGE commands per pipeline. */
const MEMORY_BATCH = 1_000;

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** The bench's own Redis connection: server facts, counters around runs, and cleanup of the run's keys. */
export class RedisStats {
  private readonly client: Redis;

  constructor(private readonly url: string) {
    this.client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 3_000 });
    // Failures surface as rejected commands; without a listener ioredis also prints every reconnect error.
    this.client.on('error', () => undefined);
  }

  /** Fails fast, with a message saying what to do, when Redis is not there. */
  async assertReachable(): Promise<void> {
    try {
      await this.client.ping();
    } catch (error) {
      throw new Error(`Redis is not reachable at ${this.url} (start it, or set REDIS_URL): ${(error as Error).message}`);
    }
  }

  async version(): Promise<string> {
    return parseInfo(await this.client.info('server')).get('redis_version') ?? 'unknown';
  }

  async snapshot(): Promise<RedisSnapshot> {
    const [commandStats, cpu, stats] = await Promise.all([this.client.info('commandstats'), this.client.info('cpu'), this.client.info('stats')]);
    const commands: Record<string, number> = {};
    for (const [field, value] of parseInfo(commandStats)) {
      const name = field.replace(/^cmdstat_/, '');
      const calls = /(?:^|,)calls=(\d+)/.exec(value);
      if (calls && name !== 'info') commands[name] = Number(calls[1]);
    }
    const cpuFields = parseInfo(cpu);
    const seconds = Number(cpuFields.get('used_cpu_user') ?? 0) + Number(cpuFields.get('used_cpu_sys') ?? 0);
    const statFields = parseInfo(stats);
    return {
      commands, cpuMicros: Math.round(seconds * 1e6),
      netInputBytes: Number(statFields.get('total_net_input_bytes') ?? 0), netOutputBytes: Number(statFields.get('total_net_output_bytes') ?? 0),
    };
  }

  /**
   * How many keys exist under `prefix` right now and the memory they take (SCAN, so Redis is never
   * blocked; `MEMORY USAGE … SAMPLES 0`: exact, key name and overhead included).
   */
  async keyStats(prefix: string): Promise<{ keys: number; bytes: number }> {
    const keys = await this.keysUnder(prefix);
    let bytes = 0;
    for (let start = 0; start < keys.length; start += MEMORY_BATCH) {
      const pipeline = this.client.pipeline();
      for (const key of keys.slice(start, start + MEMORY_BATCH)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      // A key that expired in between answers null: it takes nothing.
      for (const [error, usage] of (await pipeline.exec()) ?? []) if (!error) bytes += Number(usage ?? 0);
    }
    return { keys: keys.length, bytes };
  }

  /** Deletes every key under `prefix` (which must contain no glob characters); resolves to how many. */
  async deleteKeys(prefix: string): Promise<number> {
    let deleted = 0;
    await this.scanKeys(prefix, async (keys) => {
      deleted += await this.client.unlink(...keys);
    });
    return deleted;
  }

  /** SCAN may return a key twice: a set keeps each once. */
  private async keysUnder(prefix: string): Promise<string[]> {
    const seen = new Set<string>();
    await this.scanKeys(prefix, async (keys) => {
      for (const key of keys) seen.add(key);
    });
    return [...seen];
  }

  /** Hands every batch of keys under `prefix` (which must contain no glob characters) to `onKeys`. */
  private async scanKeys(prefix: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
    if (/[*?[\]\\]/.test(prefix)) throw new Error(`refusing to SCAN with a glob character in ${prefix}`);
    let cursor = '0';
    for (let iteration = 0; iteration < MAX_SCAN_ITERATIONS; iteration += 1) {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await onKeys(keys);
      cursor = next;
      if (cursor === '0') return;
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Per-command call deltas between two snapshots (commands with no calls in between left out). */
export function commandDeltas(before: RedisSnapshot, after: RedisSnapshot): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after.commands)) {
    const delta = calls - (before.commands[name] ?? 0);
    if (delta > 0) deltas[name] = delta;
  }
  return deltas;
}
