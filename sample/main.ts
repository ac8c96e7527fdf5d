import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createSampleApp } from './app.factory.js';
import { loadConfig } from './config/sample-config.js';

/** Starts the service: HTTP on PORT (3010) plus the Redis Streams transport (a hybrid app). */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createSampleApp(config);
  // SIGTERM / SIGINT: stop reading, finish in-flight messages, then close.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const url = `http://127.0.0.1:${config.port}`;
  new Logger('Sample').log(`Listening on ${url} — API ${url}/api/v1/mq, OpenAPI ${url}/api/docs, Prometheus ${url}/metrics`);
}

bootstrap().catch(err => {
  new Logger('Sample').error(`Could not start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
