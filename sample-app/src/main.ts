import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createAppModule } from './app.module.js';
import { loadSampleConfig } from './config/sample.config.js';

async function bootstrap(): Promise<void> {
  const config = loadSampleConfig();
  const app = await NestFactory.create(createAppModule(config), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const store = config.redisUrl ? `Redis at ${config.redisUrl}` : 'in-memory store';
  // Tests and process managers wait for this exact line.
  new Logger('Sample').log(`listening on ${config.port} (${store})`);
  console.log(`listening on ${config.port}`);
}

void bootstrap();
