import { Module } from '@nestjs/common';
import { SampleRedisModule } from '../redis/sample-redis.module.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/** The Redis counters behind every rate limit (one instance, shared by the throttler and the publish limiter). */
@Module({ imports: [SampleRedisModule], providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
export class RateLimitStorageModule {}
