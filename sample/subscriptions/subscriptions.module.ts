import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SampleRedisModule } from '../common/redis/sample-redis.module.js';
import { QueuesModule } from '../queues/queues.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** Subscription administration (`/api/v1/mq/subscriptions`). */
@Module({
  imports: [AuditModule, QueuesModule, RuntimeModule, SampleRedisModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService],
})
export class SubscriptionsModule {}
