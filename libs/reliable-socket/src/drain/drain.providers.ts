import type { Provider } from '@nestjs/common';
import { GracefulDrain } from './graceful.drain.js';

/** Providers of the drain capability, registered by ReliableSocketModule. */
export const DRAIN_PROVIDERS: Provider[] = [GracefulDrain];

/** What ReliableSocketModule exports of the drain capability. */
export const DRAIN_EXPORTS: Array<string | symbol | Function> = [GracefulDrain];
