import { describe, expect, it } from '@jest/globals';
import type { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { GracefulDrain } from '../drain/graceful.drain.js';
import type { ReliableBackend } from '../store/reliable.backend.js';
import type { StreamStore } from '../store/stream.store.js';
import { ReliableHealthIndicator } from './reliable.health-indicator.js';

function indicator(options: { storeUp?: boolean; draining?: boolean; terminus?: boolean } = {}): ReliableHealthIndicator {
  const service = new HealthIndicatorService();
  const moduleRef = {
    get: () => {
      if (options.terminus === false) throw new Error('not found');
      return service;
    },
  } as unknown as ModuleRef;
  const store = { ping: async () => (options.storeUp === false ? Promise.reject(new Error('ECONNREFUSED')) : undefined) } as unknown as StreamStore;
  return new ReliableHealthIndicator(moduleRef, store, {} as ReliableBackend, { draining: options.draining ?? false } as GracefulDrain);
}

describe('ReliableHealthIndicator', () => {
  it('is up under the default key when the backend answers', async () => {
    expect(await indicator().isHealthy()).toEqual({ 'reliable-socket': { status: 'up', store: 'up' } });
  });

  it('is down, naming the failing component, when the store does not answer', async () => {
    expect(await indicator({ storeUp: false }).isHealthy('realtime')).toEqual({ realtime: { status: 'down', store: 'down: ECONNREFUSED' } });
  });

  it('is down while the node drains for shutdown', async () => {
    expect(await indicator({ draining: true }).isHealthy()).toEqual({ 'reliable-socket': { status: 'down', store: 'up', draining: true } });
  });

  it('says what is missing when the application did not import TerminusModule', async () => {
    await expect(indicator({ terminus: false }).isHealthy()).rejects.toThrow('import TerminusModule');
  });
});
