import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SampleRedisModule } from '../common/redis/sample-redis.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { QueuesController } from './queues.controller.js';
import { QueuesService } from './queues.service.js';

/** Queue administration (`/api/v1/mq/queues`). */
@Module({
  imports: [AuditModule, RuntimeModule, SampleRedisModule],
  controllers: [QueuesController],
  providers: [QueuesService],
  exports: [QueuesService],
})
export class QueuesModule {}
