import { afterAll, beforeAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { ReliableClient } from '@reliable-socket/client';
import { testKeyPrefix } from '../support/redis-prefix.js';
import type { RedisTarget } from '../support/redis-target.js';
import { startProbeNode } from '../fixtures/probe.gateway.js';

type ProbeNode = { app: INestApplication; url: string };

/** Two probe nodes sharing one Redis target and key prefix, and the SDK clients to close after them. */
export interface ProbePair {
  readonly nodeA: ProbeNode;
  readonly nodeB: ProbeNode;
  /** Clients pushed here are closed before the nodes. */
  readonly clients: ReliableClient[];
}

/**
 * Starts two in-process probe nodes on `target` before the enclosing describe's tests and, after them,
 * closes the registered clients and the nodes and deletes the prefix's keys. Read the nodes inside tests.
 */
export function useProbePair(target: RedisTarget, fileTag: string): ProbePair {
  const prefix = testKeyPrefix(fileTag);
  let nodes: ProbeNode[] = [];
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    nodes = await Promise.all([startProbeNode(target.redisOption(), prefix), startProbeNode(target.redisOption(), prefix)]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(nodes.map((node) => node.app.close()));
    await target.deleteKeys(prefix);
  });

  return {
    get nodeA() {
      return nodes[0];
    },
    get nodeB() {
      return nodes[1];
    },
    clients,
  };
}
