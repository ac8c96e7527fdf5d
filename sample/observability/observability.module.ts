import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SampleRedisModule } from '../common/redis/sample-redis.module.js';
import { QueueRuntimeRegistryModule } from '../runtime/queue-runtime-registry.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { RateSampler } from './rate-sampler.service.js';

/** JSON metrics, status and health of the admin API (Prometheus text is wired in `AppModule`). */
@Module({
  imports: [TerminusModule, SampleRedisModule, QueueRuntimeRegistryModule],
  controllers: [HealthController, MetricsController],
  providers: [RateSampler, MetricsService, HealthService],
  exports: [MetricsService, HealthService, RateSampler],
})
export class ObservabilityModule {}
