import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';

/**
 * A Nest module with one `@EventPattern(pattern, extras)` handler that passes the payload to
 * `handle` (decorators applied as plain functions: this file is not compiled).
 */
export function eventHandlerModule(pattern, handle, extras) {
  class BenchHandlers {
    async onEvent(data) {
      handle(data);
    }
  }
  const method = Object.getOwnPropertyDescriptor(BenchHandlers.prototype, 'onEvent');
  EventPattern(pattern, extras)(BenchHandlers.prototype, 'onEvent', method);
  Controller()(BenchHandlers);
  class BenchModule {}
  Module({ controllers: [BenchHandlers] })(BenchModule);
  return BenchModule;
}

/** Starts a standalone Nest microservice (logging `logLevels`); resolves with its close function. */
export async function startMicroservice(module, microserviceOptions, logLevels = ['error', 'warn']) {
  const app = await NestFactory.createMicroservice(module, {
    ...microserviceOptions,
    logger: logLevels,
    abortOnError: false,
  });
  await app.listen();
  return () => app.close();
}
