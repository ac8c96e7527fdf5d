import { Module } from '@nestjs/common';
import { SampleRedis } from './sample-redis.service.js';

/** The sample's own Redis connection (`SampleRedis`), shared by every feature module. */
@Module({ providers: [SampleRedis], exports: [SampleRedis] })
export class SampleRedisModule {}
