import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ReliableHealthIndicator } from '@reliable-socket/nestjs';

/**
 * `GET /health`: 200 `{ status: 'ok', … }` while the message store and the cluster adapter answer,
 * 503 otherwise and while the node drains for shutdown (so a load balancer stops sending it clients).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly reliable: ReliableHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.reliable.isHealthy()]);
  }
}
