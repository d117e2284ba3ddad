import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/** `GET /metrics` (Prometheus) and `GET /health` (terminus). */
@Module({
  imports: [TerminusModule],
  controllers: [MetricsController, HealthController],
})
export class ObservabilityModule {}
