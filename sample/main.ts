import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createSampleApp } from './app.factory.js';
import { loadConfig } from './config/sample-config.js';
import { startOtlpTracing } from './observability/otlp-tracing.js';

/**
 * Starts the service: HTTP on HOST:PORT (127.0.0.1:3010) plus the Redis Streams transport (a
 * hybrid app). `--dev` (what `npm run sample` passes) accepts the built-in development secrets.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // OTLP trace export when the standard OTEL_* variables name an endpoint; flushed at shutdown.
  const tracing = startOtlpTracing();
  const app = await createSampleApp(config);
  if (tracing) {
    // Started before Nest's own signal handling finishes closing (it then re-raises the signal).
    for (const signal of ['SIGTERM', 'SIGINT', 'beforeExit'] as const) process.once(signal, () => void tracing.shutdown());
  }
  // SIGTERM / SIGINT: stop reading, finish in-flight messages, then close.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  // What the socket is bound to, not what was asked for: the log never claims less exposure than there is.
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  const shown = address.includes(':') ? `[${address}]` : address;
  const local = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : shown;
  const url = `http://${local}:${port}`;
  const logger = new Logger('Sample');
  logger.log(`Bound to ${shown}:${port}${address === '0.0.0.0' || address === '::' ? ' (every interface)' : ''}`);
  logger.log(`API ${url}/api/v1/mq, OpenAPI ${url}/api/docs, Prometheus ${url}/metrics`);
}

bootstrap().catch(err => {
  new Logger('Sample').error(`Could not start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
