/**
 * Issue 2: `emit` resolves to a receipt once the message is durable; `receipt.delivered()` resolves when
 * a device of the recipient acknowledged it, on whichever node, and rejects on timeout while the message
 * stays in the stream.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { DeliveryTimeoutError, ReliableEmitter } from '@reliable-socket/nestjs';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { waitFor } from './support/wait.js';
import { TEST_CLIENT_OPTIONS } from './fixtures/chat.fixtures.js';
import { startProbeNode } from './fixtures/probe.gateway.js';

describe('delivery receipts across two nodes (redis)', () => {
  const prefix = testKeyPrefix('receipts');
  let nodeA: { app: INestApplication; url: string };
  let nodeB: { app: INestApplication; url: string };
  const clients: ReliableClient[] = [];

  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([startProbeNode(redisUrl(), prefix), startProbeNode(redisUrl(), prefix)]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all([nodeA?.app.close(), nodeB?.app.close()]);
    await deleteKeysWithPrefix(redisUrl(), prefix);
  });

  const connect = (url: string, user: string, notes: string[]): ReliableClient => {
    const client = new ReliableClient(`${url}/probe`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user } });
    client.on('note', (data) => void notes.push((data as { text: string }).text));
    clients.push(client);
    return client;
  };

  it('is durable on emit and resolves delivered() when a device on another node acknowledges it', async () => {
    const notes: string[] = [];
    const dana = connect(nodeB.url, 'dana', notes);
    await waitFor(() => dana.connected, { timeoutMs: 5_000, message: 'dana never connected' });
    const receipt = await nodeA.app.get(ReliableEmitter).of('/probe').toUser('dana').emit('note', { text: 'hello' });
    expect(receipt).toMatchObject({ stream: 'user:dana', offset: 1, duplicate: false });
    await receipt.delivered(5_000);
    expect(notes).toEqual(['hello']);
  });

  it('rejects delivered() after its timeout while nobody acknowledges, and the message still arrives later', async () => {
    const receipt = await nodeA.app.get(ReliableEmitter).of('/probe').toUser('olaf').emit('note', { text: 'while away' });
    const started = Date.now();
    await expect(receipt.delivered(300)).rejects.toBeInstanceOf(DeliveryTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const notes: string[] = [];
    connect(nodeB.url, 'olaf', notes);
    await receipt.delivered(5_000);
    expect(notes).toEqual(['while away']);
  });

  it('resolves at once for a message acknowledged before delivered() was called', async () => {
    const notes: string[] = [];
    const rita = connect(nodeA.url, 'rita', notes);
    await waitFor(() => rita.connected, { timeoutMs: 5_000, message: 'rita never connected' });
    const receipt = await nodeB.app.get(ReliableEmitter).of('/probe').toUser('rita').emit('note', { text: 'early' });
    await waitFor(() => notes.length === 1, { timeoutMs: 5_000, message: 'rita never got it' });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the batched ack reaches the store
    const started = Date.now();
    await receipt.delivered(5_000);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
