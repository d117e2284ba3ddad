import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ReliableSocketOptions } from './interfaces/reliable-socket-options.interface.js';

export const {
  ConfigurableModuleClass: ConfigurableReliableSocketModule,
  MODULE_OPTIONS_TOKEN: RELIABLE_SOCKET_OPTIONS,
  OPTIONS_TYPE: RELIABLE_SOCKET_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RELIABLE_SOCKET_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ReliableSocketOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
