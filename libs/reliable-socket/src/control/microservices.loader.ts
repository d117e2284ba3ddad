import type * as Microservices from '@nestjs/microservices';

/** The parts of `@nestjs/microservices` the control plane's controller is built with. */
export type MicroservicesApi = Pick<typeof Microservices, 'MessagePattern' | 'RpcException'>;

/**
 * Loads `@nestjs/microservices` when the control plane is set up, not when the library is imported:
 * it is an optional peer dependency, and applications without a control plane never need it.
 *
 * @example
 * const { MessagePattern, RpcException } = await loadMicroservices();
 */
export async function loadMicroservices(): Promise<MicroservicesApi> {
  try {
    return await import('@nestjs/microservices');
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('@nestjs/microservices')) {
      throw new Error('ReliableControlModule needs @nestjs/microservices: npm install @nestjs/microservices', { cause: error });
    }
    throw error;
  }
}
