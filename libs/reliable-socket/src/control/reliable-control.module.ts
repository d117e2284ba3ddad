import { Module, type DynamicModule } from '@nestjs/common';
import { BroadcastHandler } from './broadcast.handler.js';
import { CampaignCommandsHandler } from './campaign-commands.handler.js';
import { ControlCommandDispatcher } from './control-command.dispatcher.js';
import { resolveControlOptions, type ReliableControlModuleOptions } from './control-module.options.js';
import { createControlController } from './control.controller.js';
import { CONTROL_OPTIONS } from './control.tokens.js';
import { DisconnectHandler } from './disconnect.handler.js';
import { loadMicroservices } from './microservices.loader.js';
import { OnceOnlyExecutor } from './once-only.executor.js';
import { PresenceQueryHandler } from './presence-query.handler.js';
import { RoomEvictionHandler } from './room-eviction.handler.js';

/**
 * The control plane: business services command the socket cluster (broadcast, kick a user, remove from
 * rooms, presence, campaigns) over a `@nestjs/microservices` transport. Import it next to
 * `ReliableSocketModule.forRoot` on every socket node and connect a transport; each command runs once
 * in the cluster, however many nodes receive it, and every node answers with the same reply.
 *
 * `forRoot` resolves asynchronously (Nest accepts a promised module in `imports`) because it loads
 * `@nestjs/microservices`, an optional peer dependency, only when the control plane is used.
 *
 * @example
 * @Module({
 *   imports: [ReliableSocketModule.forRoot({ redis: process.env.REDIS_URL, authenticate }), ReliableControlModule.forRoot()],
 *   providers: [ChatGateway],
 * })
 * export class AppModule {}
 *
 * // main.ts
 * const app = await NestFactory.create(AppModule);
 * app.connectMicroservice<MicroserviceOptions>({ transport: Transport.REDIS, options: { host: 'redis', port: 6379 } });
 * await app.startAllMicroservices();
 * await app.listen(3000);
 */
@Module({})
export class ReliableControlModule {
  static async forRoot(options: ReliableControlModuleOptions = {}): Promise<DynamicModule> {
    const resolved = resolveControlOptions(options);
    return {
      module: ReliableControlModule,
      controllers: [createControlController(resolved.patternPrefix, await loadMicroservices())],
      providers: [
        { provide: CONTROL_OPTIONS, useValue: resolved },
        OnceOnlyExecutor,
        BroadcastHandler,
        DisconnectHandler,
        RoomEvictionHandler,
        PresenceQueryHandler,
        CampaignCommandsHandler,
        ControlCommandDispatcher,
      ],
      // For other entry points into the same commands (an admin HTTP endpoint, another transport).
      exports: [ControlCommandDispatcher],
    };
  }
}
