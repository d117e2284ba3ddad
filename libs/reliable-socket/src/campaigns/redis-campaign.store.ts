import type { RedisClient } from '../redis/redis-client.js';
import { CampaignNotFoundError, CampaignStateError } from './campaign.errors.js';
import type { CampaignControl, CampaignRecord, CampaignStore, ClaimResult, RecipientOffset } from './campaign.store.js';
import type { CampaignProgress, CampaignState } from './campaign.types.js';
import { burstOf, CREATE_CHUNK, KEEP_AFTER_EXPIRY_MS } from './campaign.tuning.js';
import { defineCampaignCommands, type CampaignCommands } from './redis/campaign-commands.js';
import { CampaignKeys, scriptKeys } from './redis/campaign-keys.js';

export interface RedisCampaignStoreOptions {
  /** Command connection; the store's scripts are registered on it. Owned by the caller, never quit here. */
  client: RedisClient;
  /** Prefix of every key; must not contain `{` or `}`. The stream store's prefix can be shared. */
  keyPrefix: string;
}

const pairs = (entries: RecipientOffset[]): Array<string | number> => entries.flatMap(({ userId, offset }) => [userId, offset]);

/**
 * {@link CampaignStore} on Redis, shared by every node. A campaign's keys share one hash tag (see
 * `redis/campaign-keys.ts`), and every transition is one Lua script over them: atomic, Redis Cluster
 * compatible, one round trip, timed by the Redis clock. The state survives any node's restart.
 */
export class RedisCampaignStore implements CampaignStore {
  private readonly keys: CampaignKeys;
  private readonly commands: CampaignCommands;

  constructor(private readonly options: RedisCampaignStoreOptions) {
    this.keys = new CampaignKeys(options.keyPrefix);
    this.commands = defineCampaignCommands(options.client);
  }

  /**
   * Recipients first, then the meta that makes the campaign exist, then the active entry that makes
   * workers see it: a crash in between leaves keys no worker ever reads, and they expire with the campaign.
   */
  async create(record: CampaignRecord, recipients: string[]): Promise<void> {
    const unique = [...new Set(recipients)];
    if (unique.length === 0) throw new RangeError('a campaign needs at least one recipient');
    const keys = this.keys.of(record.id);
    const keepUntil = record.expiresAt + KEEP_AFTER_EXPIRY_MS;
    const { client } = this.options;
    for (let start = 0; start < unique.length; start += CREATE_CHUNK) {
      const members = unique.slice(start, start + CREATE_CHUNK).flatMap((userId) => [0, userId]);
      await client.multi().zadd(keys.pending, ...members).pexpireat(keys.pending, keepUntil).exec();
    }
    const meta: Record<string, string | number> = {
      namespace: record.namespace, event: record.event, data: JSON.stringify(record.data), expiresAt: record.expiresAt,
      createdAt: record.createdAt, state: 'running', total: unique.length, keepUntil,
    };
    if (record.ratePerSecond !== undefined) Object.assign(meta, { rate: record.ratePerSecond, burst: burstOf(record.ratePerSecond) });
    await client.multi().hset(keys.meta, meta).pexpireat(keys.meta, keepUntil).exec();
    await client.sadd(this.keys.active, record.id);
  }

  async get(id: string): Promise<CampaignRecord | undefined> {
    const [namespace, event, data, expiresAt, rate, createdAt] = await this.options.client.hmget(
      this.keys.of(id).meta, 'namespace', 'event', 'data', 'expiresAt', 'rate', 'createdAt',
    );
    if (namespace === null || event === null || data === null) return undefined;
    const record: CampaignRecord = { id, namespace, event, data: JSON.parse(data) as unknown, expiresAt: Number(expiresAt), createdAt: Number(createdAt) };
    return rate === null ? record : { ...record, ratePerSecond: Number(rate) };
  }

  async progress(id: string): Promise<CampaignProgress | undefined> {
    const reply = await this.commands.rsCampaignProgress(...this.script(id));
    if (reply.length === 0) return undefined;
    const [state, total, delivered, pending, expired] = reply;
    return { id, state, total, delivered, pending, expired };
  }

  async active(): Promise<string[]> {
    return this.options.client.smembers(this.keys.active);
  }

  async retire(id: string): Promise<void> {
    await this.options.client.srem(this.keys.active, id);
  }

  async claim(id: string, max: number, leaseMs: number): Promise<ClaimResult | undefined> {
    const reply = await this.commands.rsCampaignClaim(...this.script(id), max, leaseMs);
    if (reply.length === 0) return undefined;
    const [state, ...recipients] = reply as [CampaignState, ...string[]];
    return { state, recipients };
  }

  async markSent(id: string, sent: RecipientOffset[]): Promise<void> {
    if (sent.length > 0) await this.commands.rsCampaignSent(...this.script(id), ...pairs(sent));
  }

  async markDelivered(id: string, acks: RecipientOffset[]): Promise<void> {
    if (acks.length > 0) await this.commands.rsCampaignAcks(...this.script(id), ...pairs(acks));
  }

  /** HSCAN of the `sent` hash, which holds exactly the recipients sent and not delivered. */
  async awaitingAck(id: string, cursor: string, count: number): Promise<{ recipients: RecipientOffset[]; cursor: string }> {
    const [next, fields] = await this.options.client.hscan(this.keys.of(id).sent, cursor, 'COUNT', count);
    const recipients: RecipientOffset[] = [];
    for (let i = 0; i < fields.length; i += 2) recipients.push({ userId: fields[i], offset: Number(fields[i + 1]) });
    return { recipients, cursor: next };
  }

  async control(id: string, action: CampaignControl): Promise<CampaignProgress> {
    const [outcome, state] = await this.commands.rsCampaignControl(...this.script(id), action);
    if (outcome === 'missing') throw new CampaignNotFoundError(id);
    if (outcome === 'final') throw new CampaignStateError(id, state!, action);
    const progress = await this.progress(id);
    if (!progress) throw new CampaignNotFoundError(id); // its keys expired in between: only after KEEP_AFTER_EXPIRY_MS
    return progress;
  }

  private script(id: string): string[] {
    return scriptKeys(this.keys.of(id));
  }
}
