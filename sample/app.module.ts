import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { RedisStreamsModule } from '../lib/index.js';
import { otelTracing } from '../lib/otel/index.js';
import { withPrometheusMetrics } from '../lib/prometheus/index.js';
import { withTerminusHealth } from '../lib/terminus/index.js';
import { withTypeOrmInbox, withTypeOrmOutbox, withTypeOrmRecording } from '../lib/typeorm/index.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { SampleRedisModule } from './common/redis/sample-redis.module.js';
import { SampleConfigModule } from './config/sample-config.module.js';
import type { SampleConfig } from './config/sample-config.js';
import { typeOrmOptions } from './database/typeorm-options.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { InternalModule } from './internal/internal.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { queuePayloadOptions } from './payload/queue-payload.js';
import { GuardedPrometheusController } from './observability/prometheus.controller.js';
import { ALL_PLATFORM_TOPICS } from './platform/platform.topics.js';
import { PlatformModule } from './platform/platform.module.js';
import { PublishModule } from './publish/publish.module.js';
import { QueuesModule } from './queues/queues.module.js';
import { QueueRuntimeRegistryModule } from './runtime/queue-runtime-registry.module.js';
import { QueueRuntimeRegistry } from './runtime/queue-runtime.registry.js';
import { RuntimeModule } from './runtime/runtime.module.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';

/**
 * The message-queue service: the transport (`RedisStreamsModule`: server, client, admin,
 * Prometheus metrics, consumption records in PostgreSQL, health indicator), TypeORM with the
 * migrations run at start-up, and the admin and internal HTTP APIs.
 */
@Module({})
export class AppModule {
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SampleConfigModule.forRoot(config),
        TypeOrmModule.forRoot(typeOrmOptions(config)),
        PrometheusModule.register({
          path: '/metrics',
          controller: GuardedPrometheusController,
          // prom-client's registry is process-wide: collect the default metrics once per process.
          defaultMetrics: { enabled: !register.getSingleMetric('process_cpu_user_seconds_total') },
        }),
        RedisStreamsModule.forRootAsync({
          imports: [QueueRuntimeRegistryModule],
          inject: [QueueRuntimeRegistry],
          useFactory: (registry: QueueRuntimeRegistry) => ({
            connection: { url: config.redisUrl },
            prefix: config.prefix,
            server: {
              // Webhook consumers decode every queue's format, decrypt with the tenant keys, and trace.
              payload: queuePayloadOptions(registry, config.payloadKeys),
              tracing: otelTracing(),
              group: config.group,
              blockMs: config.blockMs,
              claimIdleMs: config.claimIdleMs,
              shutdownTimeoutMs: config.shutdownTimeoutMs,
            },
            // A queue's maxLength bounds its backlog, checked by PublishService (not the stream length the client's maxLen counts).
            clientOptions: {
              default: {
                // During an outage a publish answers 503 after this, instead of holding the request.
                connectTimeoutMs: config.redisTimeoutMs,
                commandTimeoutMs: config.redisTimeoutMs,
                // Each queue's messageFormat, compressionType, encrypted and schemaDefinition.
                payload: queuePayloadOptions(registry, config.payloadKeys),
                tracing: otelTracing(),
              },
            },
          }),
          integrations: [
            withPrometheusMetrics({ gaugeIntervalMs: config.gaugeIntervalMs, topics: ALL_PLATFORM_TOPICS }),
            // Message records too: `GET /messages/{id}` shows a message with its consumption history.
            withTypeOrmRecording({ recordMessages: true }),
            // The internal API's user events leave through the outbox; the platform handlers apply effects through the inbox.
            withTypeOrmOutbox(),
            withTypeOrmInbox(),
            withTerminusHealth({ timeoutMs: 1_500 }),
          ],
        }),
        AuthModule,
        SampleRedisModule,
        RateLimitModule,
        AuditModule,
        RuntimeModule,
        QueuesModule,
        PublishModule,
        SubscriptionsModule,
        DeadLettersModule,
        MessagesModule,
        ObservabilityModule,
        InternalModule,
        PlatformModule,
      ],
    };
  }
}
