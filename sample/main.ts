import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServerRedisStreams } from '../lib/index.js';
import { AppModule } from './app.module.js';
import { httpPort, redisConnection, redisPrefix } from './config.js';

/** Starts the sample: HTTP on PORT (3010) plus the Redis Streams transport (a hybrid app). */
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  app.connectMicroservice({
    strategy: new ServerRedisStreams({ connection: redisConnection(), prefix: redisPrefix(), group: 'sample' }),
  });
  await app.startAllMicroservices();
  await app.listen(httpPort(), '0.0.0.0');
  new Logger('Sample').log(`Listening on http://127.0.0.1:${httpPort()} (POST /orders)`);
}

void bootstrap();
