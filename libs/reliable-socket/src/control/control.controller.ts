import { Controller, Inject, type Type } from '@nestjs/common';
import { CONTROL_COMMANDS, controlPattern } from './control.contract.js';
import { ControlCommandDispatcher } from './control-command.dispatcher.js';
import type { MicroservicesApi } from './microservices.loader.js';
import type { ReliableControlError } from './reliable-control.error.js';

/**
 * Builds the controller that answers the control patterns under `patternPrefix`. Nest collects message
 * handlers from controllers only, and a pattern is fixed when its handler is decorated, so a
 * configurable prefix needs a class built per module instance. Its handlers are generated from
 * `CONTROL_COMMANDS`, so a command's pattern, parser and route cannot drift apart.
 *
 * Every handler returns the command's result, or throws an `RpcException` whose error is
 * `{ code, message, details? }` (the transport's error reply).
 *
 * @example
 * const controller = createControlController('reliable-socket', await loadMicroservices());
 * // answers 'reliable-socket.broadcast', 'reliable-socket.disconnect', …
 */
export function createControlController(patternPrefix: string, { MessagePattern, RpcException }: MicroservicesApi): Type<unknown> {
  @Controller()
  class ReliableControlController {
    constructor(@Inject(ControlCommandDispatcher) readonly dispatcher: ControlCommandDispatcher) {}
  }

  for (const command of CONTROL_COMMANDS) {
    const handler = async function (this: ReliableControlController, payload: unknown): Promise<unknown> {
      try {
        return await this.dispatcher.execute(command, payload);
      } catch (error) {
        throw new RpcException((error as ReliableControlError).toReply()); // the dispatcher throws nothing else
      }
    };
    const descriptor: PropertyDescriptor = { value: handler, writable: true, configurable: true, enumerable: false };
    Object.defineProperty(ReliableControlController.prototype, command, descriptor);
    MessagePattern(controlPattern(patternPrefix, command))(ReliableControlController.prototype, command, descriptor);
  }
  return ReliableControlController;
}
