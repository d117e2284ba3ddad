import os from 'node:os';
import type { RedisStats } from './redis-stats.js';

export interface MachineFacts {
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  redis: string;
}

export async function machineFacts(redis: RedisStats): Promise<MachineFacts> {
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    redis: await redis.version(),
  };
}
