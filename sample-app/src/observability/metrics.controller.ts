import { Controller, Get, Header } from '@nestjs/common';
import { register } from 'prom-client';

/**
 * `GET /metrics`: prom-client's global registry in the Prometheus text format, which is where
 * reliable-socket registers its metrics unless given `metrics.registry`. In production, expose it on an
 * internal port or behind auth: it names namespaces and campaigns.
 */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
