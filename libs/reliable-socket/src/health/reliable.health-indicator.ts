import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { GracefulDrain } from '../drain/graceful.drain.js';
import { ReliableBackend } from '../store/reliable.backend.js';
import { StreamStore } from '../store/stream.store.js';
import { probeBackend } from './backend.probe.js';

/** How long the backend may take to answer before it counts as down. */
const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Terminus health indicator of reliable-socket: `up` when the message store answers and, with Redis,
 * the Socket.IO adapter's pub/sub connections answer a PING, each within the timeout (a connection that
 * does not is reported with its ioredis state, e.g. `down: connection is reconnecting`);
 * `down` otherwise, and while the node drains for shutdown (so a load balancer stops sending it clients).
 * The result names each component: `{ 'reliable-socket': { status, store, adapterPub?, adapterSub?, draining? } }`.
 *
 * Needs `@nestjs/terminus` and the application importing `TerminusModule`.
 *
 * @example
 * @Controller('health')
 * export class HealthController {
 *   constructor(private readonly health: HealthCheckService, private readonly reliable: ReliableHealthIndicator) {}
 *   @Get() @HealthCheck()
 *   check() { return this.health.check([() => this.reliable.isHealthy()]); }
 * }
 */
@Injectable()
export class ReliableHealthIndicator {
  private indicators: HealthIndicatorService | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(StreamStore) private readonly store: StreamStore,
    private readonly backend: ReliableBackend,
    private readonly drain: GracefulDrain,
  ) {}

  async isHealthy<const Key extends string = 'reliable-socket'>(key: Key = 'reliable-socket' as Key, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HealthIndicatorResult<Key>> {
    const indicator = (await this.healthIndicatorService()).check(key);
    const report = await probeBackend({ store: this.store, adapter: this.backend.connections }, timeoutMs);
    if (this.drain.draining) return indicator.down({ ...report.components, draining: true });
    return report.healthy ? indicator.up(report.components) : indicator.down(report.components);
  }

  /**
   * TerminusModule's own service, looked up on first use: terminus is an optional peer, so this library
   * neither imports its module nor loads it before it is needed.
   */
  private async healthIndicatorService(): Promise<HealthIndicatorService> {
    if (this.indicators) return this.indicators;
    let terminus: typeof import('@nestjs/terminus');
    try {
      terminus = await import('@nestjs/terminus');
    } catch (error) {
      throw new Error('ReliableHealthIndicator needs @nestjs/terminus (npm i @nestjs/terminus) and TerminusModule imported by the application', { cause: error });
    }
    let service: HealthIndicatorService | undefined;
    try {
      service = this.moduleRef.get(terminus.HealthIndicatorService, { strict: false });
    } catch {
      // Reported below, with what to do about it.
    }
    if (!service) throw new Error('ReliableHealthIndicator: import TerminusModule in the application module');
    this.indicators = service;
    return service;
  }
}
