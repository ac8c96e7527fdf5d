import { Module } from '@nestjs/common';
import { SampleRedisModule } from '../common/redis/sample-redis.module.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

/** `GET /api/v1/mq/messages/{id}`. */
@Module({ imports: [SampleRedisModule], controllers: [MessagesController], providers: [MessagesService] })
export class MessagesModule {}
