import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import { SampleRedisModule } from '../redis/sample-redis.module.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { PublishRateLimiter } from './publish-rate-limiter.js';
import { RateLimitStorageModule } from './rate-limit-storage.module.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { SchemaTimeQuota } from './schema-time-quota.js';
import { TenantThrottlerGuard } from './tenant-throttler.guard.js';

/**
 * Rates counted in Redis: per tenant, requests (`TenantThrottlerGuard`) and published messages
 * (`PublishRateLimiter`); per client address, failed authentications (`AuthFailureLimiter`). Per
 * tenant and replica, in memory: JSON Schema check time (`SchemaTimeQuota`).
 */
@Global()
@Module({
  imports: [
    RateLimitStorageModule,
    SampleRedisModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [SAMPLE_CONFIG, RedisThrottlerStorage],
      useFactory: (config: SampleConfig, storage: RedisThrottlerStorage) => ({
        throttlers: [{ name: 'default', ttl: config.limits.windowMs, limit: config.limits.requestsPerWindow }],
        storage,
      }),
    }),
  ],
  providers: [PublishRateLimiter, TenantThrottlerGuard, AuthFailureLimiter, SchemaTimeQuota],
  exports: [PublishRateLimiter, TenantThrottlerGuard, AuthFailureLimiter, SchemaTimeQuota, ThrottlerModule],
})
export class RateLimitModule {}
