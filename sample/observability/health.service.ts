import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { RedisStreamsHealthIndicator } from '../../lib/terminus/index.js';

/**
 * Terminus checks: Redis answers, every read loop of the transport (platform handlers and
 * webhooks) is alive, PostgreSQL answers. Down → 503 with the report.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    @Inject(RedisStreamsHealthIndicator) private readonly transport: RedisStreamsHealthIndicator,
  ) {}

  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.transport.isHealthy('redis_streams', { timeoutMs: 1_500 }),
      () => this.database.pingCheck('database').withTimeout(1_500),
    ]);
  }
}
