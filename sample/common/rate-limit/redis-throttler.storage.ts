import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import { SampleRedis } from '../redis/sample-redis.service.js';

/** One counter's state, as `@nestjs/throttler` expects it (times in seconds). */
export interface ThrottleRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * A fixed-window counter with a block, atomic in one script so that every replica shares it.
 * Hits that would pass the limit are not counted (a refused batch does not eat the window).
 */
const INCREMENT_SCRIPT = `--[[
  KEYS[1] hit counter (expires with the window), KEYS[2] block marker
  ARGV[1] window ms, ARGV[2] limit, ARGV[3] block ms, ARGV[4] cost (hits of this request)
  Output: { hits, window ms left, blocked 0/1, block ms left }
]]
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked }
end
local cost = tonumber(ARGV[4])
local hits = redis.call('INCRBY', KEYS[1], cost)
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('DECRBY', KEYS[1], cost)
  -- Blocked until the window ends at least, so Retry-After never points before the counter resets.
  local block = math.max(tonumber(ARGV[3]), left)
  redis.call('SET', KEYS[2], '1', 'PX', block)
  return { hits - cost, left, 1, block }
end
return { hits, left, 0, 0 }
`;

/**
 * `ThrottlerStorage` of `@nestjs/throttler` in Redis: every replica counts into the same keys, so a
 * tenant's limit holds for the whole service, not per process. Keys live under
 * `<prefix>:sample:throttle:` and expire with their window.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: SampleRedis,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** One request's hit (what `ThrottlerGuard` calls). */
  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottleRecord> {
    return this.incrementBy(key, ttl, limit, blockDuration, throttlerName, 1);
  }

  /** `cost` hits at once (a batch of messages), all or none. */
  async incrementBy(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string, cost: number): Promise<ThrottleRecord> {
    // One hash tag per counter: both keys of the script live in one Redis Cluster slot.
    const base = `${this.config.prefix}:sample:throttle:{${throttlerName}:${key}}`;
    const [hits, left, blocked, blockLeft] = (await this.redis.redis.eval(
      INCREMENT_SCRIPT,
      2,
      `${base}:hits`,
      `${base}:block`,
      ttl,
      limit,
      blockDuration,
      cost,
    )) as [number, number, number, number];
    return { totalHits: hits, timeToExpire: Math.ceil(left / 1000), isBlocked: blocked === 1, timeToBlockExpire: Math.ceil(blockLeft / 1000) };
  }
}
