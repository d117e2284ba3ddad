import type { Provider } from '@nestjs/common';
import { ReliableHealthIndicator } from './reliable.health-indicator.js';

/** Providers of the health capability, registered by ReliableSocketModule. */
export const HEALTH_PROVIDERS: Provider[] = [ReliableHealthIndicator];

/** What ReliableSocketModule exports of the health capability. */
export const HEALTH_EXPORTS: Array<string | symbol | Function> = [ReliableHealthIndicator];
