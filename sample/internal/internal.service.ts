import { Inject, Injectable, Optional, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import {
  ClientRedisStreams,
  InjectRedisStreamsClient,
  RedisStreamsRecordBuilder,
  ServerRedisStreams,
} from '../../lib/index.js';
import { ConsumptionRecorder, RedisStreamsOutbox } from '../../lib/typeorm/index.js';
import { HealthService } from '../observability/health.service.js';
import { serviceVersion, STARTED_AT } from '../observability/service-info.js';
import { PLATFORM_TOPICS } from '../platform/platform.topics.js';
import { PRODUCER_HEADER, TENANT_HEADER } from '../publish/message-headers.js';
import { QueueRuntimeRegistry } from '../runtime/queue-runtime.registry.js';
import { WebhookConsumers } from '../subscriptions/webhook/webhook-consumers.service.js';
import type { AuditLogDto } from './dto/audit-log.dto.js';
import type { NotificationDto } from './dto/notification.dto.js';
import type { UserEventDto } from './dto/user-event.dto.js';

/** The producer id stamped on events that came in through the internal API. */
const INTERNAL_PRODUCER = 'internal-api';

/** Publishes the platform events other services send, and reports this replica in detail. */
@Injectable()
export class InternalService {
  constructor(
    @InjectRedisStreamsClient() private readonly client: ClientRedisStreams,
    @Inject(ServerRedisStreams) private readonly server: ServerRedisStreams,
    private readonly health: HealthService,
    private readonly registry: QueueRuntimeRegistry,
    private readonly webhooks: WebhookConsumers,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RedisStreamsOutbox) private readonly outbox: RedisStreamsOutbox,
    @Optional() @Inject(ConsumptionRecorder) private readonly recorder?: ConsumptionRecorder | null,
  ) {}

  /**
   * Stores the user event and writes its message through the outbox, in one transaction: the
   * event is published if and only if it was stored (the relay publishes it right after the
   * commit, also if this replica dies first). Answers with the id the message will carry.
   */
  publishUserEvent(dto: UserEventDto): Promise<{ messageId: string; topic: string }> {
    const [topic, payload] =
      dto.type === 'user.registered'
        ? [PLATFORM_TOPICS.userRegistered, { tenantId: dto.tenantId, userId: dto.userId, email: dto.email, name: dto.name }]
        : [
            PLATFORM_TOPICS.paymentSucceeded,
            { tenantId: dto.tenantId, userId: dto.userId, paymentId: dto.paymentId, amountMinor: dto.amountMinor, currency: dto.currency },
          ];
    return this.db.transaction(async manager => {
      const messageId = await this.outbox.emit(manager, topic, this.record(dto.tenantId, payload));
      await manager.query(`INSERT INTO platform_user_events (message_id, tenant_id, type, user_id) VALUES ($1, $2, $3, $4)`, [
        messageId,
        dto.tenantId,
        dto.type,
        dto.userId ?? null,
      ]);
      return { messageId, topic };
    });
  }

  publishNotification(dto: NotificationDto): Promise<{ messageId: string; topic: string }> {
    return this.publish(PLATFORM_TOPICS.notificationRequested, dto.tenantId, { ...dto });
  }

  publishAuditLog(dto: AuditLogDto): Promise<{ messageId: string; topic: string }> {
    return this.publish(PLATFORM_TOPICS.auditLog, dto.tenantId, { ...dto });
  }

  /** Health checks plus this replica's read loops, webhook consumers and recorder counters. */
  async healthDetailed(): Promise<Record<string, unknown>> {
    let checks: unknown;
    let status = 'ok';
    try {
      checks = await this.health.check();
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      status = 'error';
      checks = err.getResponse();
    }
    return {
      status,
      version: serviceVersion(),
      uptimeSeconds: Math.round((Date.now() - STARTED_AT) / 1000),
      checks,
      readLoops: this.server.getConsumerStates(),
      webhookConsumers: this.webhooks.runningIds(),
      queues: this.registry.all().length,
      recorder: this.recorder?.getStats() ?? null,
    };
  }

  private async publish(topic: string, tenantId: string, payload: Record<string, unknown>): Promise<{ messageId: string; topic: string }> {
    return { messageId: await lastValueFrom(this.client.emit<string>(topic, this.record(tenantId, payload))), topic };
  }

  private record(tenantId: string, payload: Record<string, unknown>) {
    return new RedisStreamsRecordBuilder(payload).setHeaders({ [TENANT_HEADER]: tenantId, [PRODUCER_HEADER]: INTERNAL_PRODUCER }).build();
  }
}
