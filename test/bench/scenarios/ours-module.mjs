/**
 * Ours wired through `RedisStreamsModule` in a hybrid app (`app.connectMicroservice({ strategy:
 * app.get(ServerRedisStreams) })`), with `cfg.recording` = consumption records (TypeORM on
 * `cfg.databaseUrl`) + Prometheus metrics on, or both off. The producer is the plain client.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { eventHandlerModule } from '../lib/nest-app.mjs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadOursWithTypeorm, oursEntryUrl } from '../lib/ours-build.mjs';
import { recorderReports } from '../lib/recorder-wait.mjs';
import { redisUrl } from '../lib/redis-url.mjs';

export { producer } from './ours.mjs';

export async function consumer(cfg, handle) {
  const lib = await loadOursWithTypeorm(cfg);
  const prometheus = await loadOursSubpath(cfg, 'prometheus');
  // Builds with integrations (./typeorm, ./prometheus subpaths) or, older ones, with module options.
  const wiring =
    typeof lib.withTypeOrmRecording === 'function' && typeof prometheus?.withPrometheusMetrics === 'function'
      ? { integrations: cfg.recording ? [prometheus.withPrometheusMetrics(), lib.withTypeOrmRecording()] : [] }
      : { metrics: cfg.recording, persistence: cfg.recording ? { prefix: cfg.prefix } : false };
  const imports = [
    lib.RedisStreamsModule.forRoot({
      connection: { url: redisUrl() },
      prefix: cfg.prefix,
      server: cfg.server ?? {},
      ...wiring,
    }),
    eventHandlerModule('t', handle, cfg.extras),
  ];
  if (cfg.recording) {
    imports.push(
      TypeOrmModule.forRoot({ type: 'postgres', url: cfg.databaseUrl, entities: [...lib.REDIS_STREAMS_ENTITIES], synchronize: false }),
    );
  }
  class RecordingBenchModule {}
  Module({ imports })(RecordingBenchModule);
  const app = await NestFactory.create(RecordingBenchModule, { logger: ['error', 'warn'], abortOnError: false });
  app.connectMicroservice({ strategy: app.get(lib.ServerRedisStreams) });
  await app.startAllMicroservices();
  await app.init();
  const recorder = cfg.recording ? app.get(lib.ConsumptionRecorder) : undefined;
  return {
    close: () => app.close(),
    ...recorderReports(recorder, cfg),
  };
}

/** The exports of a subpath of the build (e.g. 'prometheus'), or undefined when it has none. */
async function loadOursSubpath(cfg, subpath) {
  const url = oursEntryUrl(cfg, subpath);
  return existsSync(fileURLToPath(url)) ? import(url) : undefined;
}
