import { describe, expect, it } from '@jest/globals';
import { probeBackend } from './backend.probe.js';

const answers = { status: 'ready' as const, ping: async () => 'PONG' as const };

describe('probeBackend', () => {
  it('is healthy when the store and both adapter connections answer', async () => {
    const report = await probeBackend({ store: { ping: async () => undefined }, adapter: { adapterPub: answers, adapterSub: answers } }, 500);
    expect(report).toEqual({ healthy: true, components: { store: 'up', adapterPub: 'up', adapterSub: 'up' } });
  });

  it('checks only the store with the in-memory backend', async () => {
    expect(await probeBackend({ store: { ping: async () => undefined } }, 500)).toEqual({ healthy: true, components: { store: 'up' } });
  });

  it('reports a failing store with its reason', async () => {
    const report = await probeBackend({ store: { ping: async () => Promise.reject(new Error('ECONNREFUSED')) } }, 500);
    expect(report).toEqual({ healthy: false, components: { store: 'down: ECONNREFUSED' } });
  });

  it('reports an adapter connection that does not answer in time with its state', async () => {
    const reconnecting = { status: 'reconnecting' as const, ping: () => new Promise<'PONG'>(() => undefined) };
    const report = await probeBackend({ store: { ping: async () => undefined }, adapter: { adapterPub: answers, adapterSub: reconnecting } }, 100);
    expect(report.healthy).toBe(false);
    expect(report.components).toEqual({ store: 'up', adapterPub: 'up', adapterSub: 'down: connection is reconnecting' });
  });

  it('accepts a connection that was still connecting but answers within the timeout', async () => {
    const connecting = { status: 'connecting' as 'connecting' | 'ready', ping: async () => 'PONG' as const };
    const report = await probeBackend({ store: { ping: async () => undefined }, adapter: { adapterPub: connecting, adapterSub: connecting } }, 500);
    expect(report.healthy).toBe(true);
  });

  it('gives up on a component that does not answer within the timeout', async () => {
    const started = Date.now();
    const report = await probeBackend({ store: { ping: () => new Promise<void>(() => undefined) } }, 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toEqual({ healthy: false, components: { store: 'down: no answer within 100 ms' } });
  });
});
