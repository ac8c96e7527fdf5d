import { Module } from '@nestjs/common';
import { SampleRedisModule } from '../common/redis/sample-redis.module.js';
import { QueuesModule } from '../queues/queues.module.js';
import { PublishController } from './publish.controller.js';
import { PublishService } from './publish.service.js';

/** Publishing (`/api/v1/mq/publish*`, `/api/v1/mq/topics/{name}/publish`). */
@Module({
  imports: [QueuesModule, SampleRedisModule],
  controllers: [PublishController],
  providers: [PublishService],
})
export class PublishModule {}
