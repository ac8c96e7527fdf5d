import { Inject, Injectable } from '@nestjs/common';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import { RateLimitedException } from './rate-limited.exception.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/**
 * Messages published per tenant per window (`RATE_LIMIT_PUBLISH` per `RATE_LIMIT_WINDOW_MS`), in
 * the same Redis storage as the request rate. A batch counts each of its messages, all or none.
 */
@Injectable()
export class PublishRateLimiter {
  constructor(
    private readonly storage: RedisThrottlerStorage,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** Takes `count` messages from the tenant's allowance, or throws 429 MQ_RATE_LIMITED. */
  async take(tenantId: string, count: number): Promise<void> {
    const { windowMs, publishPerWindow } = this.config.limits;
    const record = await this.storage.incrementBy(`tenant:${tenantId}`, windowMs, publishPerWindow, windowMs, 'publish', count);
    if (record.isBlocked) {
      throw new RateLimitedException(`Publish rate exceeded: at most ${publishPerWindow} messages per ${windowMs / 1000} s per tenant`, record.timeToBlockExpire, {
        limit: publishPerWindow,
        windowSeconds: windowMs / 1000,
      });
    }
  }
}
