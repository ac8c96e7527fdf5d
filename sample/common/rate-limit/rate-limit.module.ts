import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import { PublishRateLimiter } from './publish-rate-limiter.js';
import { RateLimitStorageModule } from './rate-limit-storage.module.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { TenantThrottlerGuard } from './tenant-throttler.guard.js';

/** Per-tenant rates, counted in Redis: requests (`TenantThrottlerGuard`) and published messages (`PublishRateLimiter`). */
@Global()
@Module({
  imports: [
    RateLimitStorageModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [SAMPLE_CONFIG, RedisThrottlerStorage],
      useFactory: (config: SampleConfig, storage: RedisThrottlerStorage) => ({
        throttlers: [{ name: 'default', ttl: config.limits.windowMs, limit: config.limits.requestsPerWindow }],
        storage,
      }),
    }),
  ],
  providers: [PublishRateLimiter, TenantThrottlerGuard],
  exports: [PublishRateLimiter, TenantThrottlerGuard, ThrottlerModule],
})
export class RateLimitModule {}
