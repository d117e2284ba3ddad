/**
 * Issue 2: `emit` resolves to a receipt once the message is durable; `receipt.delivered()` resolves when
 * a device of the recipient acknowledged it, on whichever node, and rejects on timeout while the message
 * stays in the stream.
 */
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { DeliveryTimeoutError, ReliableEmitter } from '@reliable-socket/nestjs';
import type { RedisTarget } from '../support/redis-target.js';
import { waitFor } from '../support/wait.js';
import { TEST_CLIENT_OPTIONS } from '../fixtures/chat.fixtures.js';
import { useProbePair } from './probe-pair.fixture.js';

/** The delivery receipt suite, on two in-process probe nodes sharing `target`. */
export function describeDeliveryReceipts(target: RedisTarget): void {
  describe(`delivery receipts across two nodes (${target.name})`, () => {
    const pair = useProbePair(target, 'receipts');
    const { clients } = pair;

    const connect = (url: string, user: string, notes: string[]): ReliableClient => {
      const client = new ReliableClient(`${url}/probe`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), auth: { user } });
      client.on('note', (data) => void notes.push((data as { text: string }).text));
      clients.push(client);
      return client;
    };

    it('is durable on emit and resolves delivered() when a device on another node acknowledges it', async () => {
      const notes: string[] = [];
      const dana = connect(pair.nodeB.url, 'dana', notes);
      await waitFor(() => dana.connected, { timeoutMs: 5_000, message: 'dana never connected' });
      const receipt = await pair.nodeA.app.get(ReliableEmitter).of('/probe').toUser('dana').emit('note', { text: 'hello' });
      expect(receipt).toMatchObject({ stream: 'user:dana', offset: 1, duplicate: false });
      await receipt.delivered(5_000);
      expect(notes).toEqual(['hello']);
    });

    it('rejects delivered() after its timeout while nobody acknowledges, and the message still arrives later', async () => {
      const receipt = await pair.nodeA.app.get(ReliableEmitter).of('/probe').toUser('olaf').emit('note', { text: 'while away' });
      const started = Date.now();
      await expect(receipt.delivered(300)).rejects.toBeInstanceOf(DeliveryTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      const notes: string[] = [];
      connect(pair.nodeB.url, 'olaf', notes);
      await receipt.delivered(5_000);
      expect(notes).toEqual(['while away']);
    });

    it('resolves at once for a message acknowledged before delivered() was called', async () => {
      const notes: string[] = [];
      const rita = connect(pair.nodeA.url, 'rita', notes);
      await waitFor(() => rita.connected, { timeoutMs: 5_000, message: 'rita never connected' });
      const receipt = await pair.nodeB.app.get(ReliableEmitter).of('/probe').toUser('rita').emit('note', { text: 'early' });
      await waitFor(() => notes.length === 1, { timeoutMs: 5_000, message: 'rita never got it' });
      await new Promise((resolve) => setTimeout(resolve, 200)); // the batched ack reaches the store
      const started = Date.now();
      await receipt.delivered(5_000);
      expect(Date.now() - started).toBeLessThan(100);
    });
  });
}
