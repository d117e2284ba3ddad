import type { Cluster, Redis } from 'ioredis';

/** A standalone connection or a Redis Cluster client: the stores use only what both offer. */
export type RedisClient = Redis | Cluster;
