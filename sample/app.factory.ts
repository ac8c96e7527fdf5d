import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ServerRedisStreams } from '../lib/index.js';
import { AppModule } from './app.module.js';
import { MqExceptionFilter } from './common/filters/mq-exception.filter.js';
import { useJsonBody } from './common/http/json-body.js';
import { setupSwagger } from './common/http/swagger.js';
import { MqValidationPipe } from './common/validation/mq-validation.pipe.js';
import type { SampleConfig } from './config/sample-config.js';
import { ensureDatabase } from './database/ensure-database.js';
import { RuntimeSync } from './runtime/runtime-sync.service.js';

/** Options of `createSampleApp` besides the configuration. */
export interface CreateSampleAppOptions {
  /** Nest logger levels, or `false` for none. @defaultValue Nest's default */
  logger?: false | LogLevel[];
}

/**
 * Builds the service, ready to `listen`: creates the database if missing, runs the migrations
 * (TypeORM, at module start), starts the transport (hybrid app) and the webhook consumers.
 * `main.ts` and the tests share it.
 */
export async function createSampleApp(config: SampleConfig, options: CreateSampleAppOptions = {}): Promise<NestExpressApplication> {
  await ensureDatabase(config.databaseUrl, options.logger === false ? () => undefined : undefined);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Our own JSON parser: 1 MiB limit, and its errors in the API's format.
    bodyParser: false,
    abortOnError: false,
    ...(options.logger !== undefined && { logger: options.logger }),
  });
  useJsonBody(app, config.maxBodyBytes);
  app.useGlobalPipes(new MqValidationPipe());
  // HTTP only: the transport's handlers keep Nest's RPC exception handling.
  app.useGlobalFilters(new MqExceptionFilter());
  setupSwagger(app);
  app.connectMicroservice({ strategy: app.get(ServerRedisStreams) });
  await app.init();
  await app.startAllMicroservices();
  // Webhook consumers need a listening server (`subscribe`).
  await app.get(RuntimeSync).start();
  for (const name of config.devDefaults) {
    new Logger('Config').warn(`${name} is not set: development mode (--dev) uses the built-in DEVELOPMENT value. Never expose this service like this.`);
  }
  return app;
}
