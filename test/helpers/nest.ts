import { Module, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientRedisStreams, ServerRedisStreams, type RedisStreamsServerOptions } from '../../lib/index.js';
import { connection } from './redis.js';

/** A running microservice with the given controllers, on ServerRedisStreams. */
export interface TestServer {
  app: INestMicroservice;
  server: ServerRedisStreams;
  close(): Promise<void>;
}

/** Starts a Nest microservice (plain `createMicroservice`, no filters) with our strategy. */
export async function startServer(controllers: Type[], options: RedisStreamsServerOptions): Promise<TestServer> {
  class TestModule {}
  Module({ controllers })(TestModule);
  const server = new ServerRedisStreams({ connection: connection(), blockMs: 500, ...options });
  const app = await NestFactory.createMicroservice(TestModule, { strategy: server, logger: false, abortOnError: false });
  await app.listen();
  return { app, server, close: () => app.close() };
}

/** A connected client for the same Redis. */
export async function startClient(prefix: string, extra: Record<string, unknown> = {}): Promise<ClientRedisStreams> {
  const client = new ClientRedisStreams({ connection: connection(), prefix, ...extra });
  await client.connect();
  return client;
}
