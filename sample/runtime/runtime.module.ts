import { Module } from '@nestjs/common';
import { SampleRedisModule } from '../common/redis/sample-redis.module.js';
import { WebhookConsumers } from '../subscriptions/webhook/webhook-consumers.service.js';
import { WebhookDeliverer } from '../subscriptions/webhook/webhook-deliverer.js';
import { WebhookUrlGuard } from '../subscriptions/webhook/webhook-url-guard.js';
import { QueueRuntimeRegistryModule } from './queue-runtime-registry.module.js';
import { RetentionSweeper } from './retention-sweeper.service.js';
import { RuntimeSync } from './runtime-sync.service.js';

/** What runs because of the queues and subscriptions in PostgreSQL: webhook consumers, limits, retention. */
@Module({
  imports: [QueueRuntimeRegistryModule, SampleRedisModule],
  providers: [WebhookUrlGuard, WebhookDeliverer, WebhookConsumers, RuntimeSync, RetentionSweeper],
  exports: [WebhookUrlGuard, RuntimeSync, WebhookConsumers, RetentionSweeper, QueueRuntimeRegistryModule],
})
export class RuntimeModule {}
