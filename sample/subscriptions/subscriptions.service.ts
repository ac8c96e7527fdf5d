import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RedisStreamsAdmin } from '../../lib/index.js';
import { MessageSubscriptionEntity } from '../../lib/typeorm/index.js';
import { AuditService } from '../audit/audit.service.js';
import { ADMIN_ROLE, type Principal } from '../auth/principal.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { QueuesService } from '../queues/queues.service.js';
import { RuntimeSync } from '../runtime/runtime-sync.service.js';
import type { CreateSubscriptionDto } from './dto/create-subscription.dto.js';
import type { UpdateSubscriptionDto } from './dto/update-subscription.dto.js';
import { toSubscriptionView, withoutReceiverCredentials, type SubscriptionView } from './subscription.js';
import { newWebhookSecret } from './webhook/webhook-signature.js';
import { WebhookSecretEntity } from './webhook/webhook-secret.entity.js';
import { WebhookUrlGuard } from './webhook/webhook-url-guard.js';

/** Consumer groups of webhook subscriptions are `wh-<subscription id>`; external groups may not start so. */
const WEBHOOK_GROUP_PREFIX = 'wh-';

/** Consumer name of webhook rows; never equal to the group, whose (group, group) row the transport's recorder may insert. */
const WEBHOOK_CONSUMER_NAME = 'webhook';

type LoadedSubscription = MessageSubscriptionEntity & { topic: { name: string; tenantId: string | null } };

/**
 * Subscriptions (`message_subscriptions` rows) of the caller's tenant. A webhook subscription is
 * consumed by this service (`WebhookConsumers`, through `RuntimeSync`); a `redis_consumer` one
 * registers an external consumer group. Pause and resume go through `RedisStreamsAdmin`
 * (every consumer of the group stops within a second) and are persisted in `status`.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    private readonly queues: QueuesService,
    private readonly runtime: RuntimeSync,
    private readonly redis: SampleRedis,
    private readonly audit: AuditService,
    private readonly urls: WebhookUrlGuard,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  async create(principal: Principal, dto: CreateSubscriptionDto): Promise<SubscriptionView & { secret?: string }> {
    const queue = await this.queues.find(principal.tenantId, dto.topic);
    const webhook = dto.type === 'webhook';
    checkShape(dto);
    if (webhook) await this.urls.check(dto.handlerConfig!.url);
    const { allowedConsumers } = queue.row;
    if (allowedConsumers.length && !allowedConsumers.includes(principal.sub) && !(dto.consumerGroup && allowedConsumers.includes(dto.consumerGroup))) {
      throw MqException.forbidden(`"${principal.sub}" is not an allowed consumer of queue "${dto.topic}"`);
    }
    const id = randomUUID();
    const group = webhook ? `${WEBHOOK_GROUP_PREFIX}${id}` : dto.consumerGroup!;
    const taken = await this.db.getRepository(MessageSubscriptionEntity).existsBy({ topicId: queue.row.id, consumerGroup: group });
    if (taken) throw subscriptionExists(group, dto.topic);
    const startFrom = dto.startFrom ?? 'latest';
    const secret = webhook ? newWebhookSecret() : undefined;
    await this.db.transaction(async manager => {
      // Serialises creations of one tenant, so two concurrent ones cannot both pass the quota check.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mq-subscriptions:${principal.tenantId}`]);
      const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM message_subscriptions WHERE tenant_id = $1', [principal.tenantId]);
      const limit = this.config.limits.maxSubscriptions;
      // Each subscription costs every replica a consumer: the quota bounds what one tenant can make the service run.
      if (count >= limit) throw MqException.quota(`The tenant already has ${count} subscriptions (limit ${limit})`, { limit });
      await manager.save(manager.create(MessageSubscriptionEntity, {
        id,
        topicId: queue.row.id,
        consumerGroup: group,
        consumerName: webhook ? WEBHOOK_CONSUMER_NAME : (dto.consumerName ?? group),
        subscriptionType: dto.type,
        offsetResetPolicy: startFrom,
        sessionTimeoutMs: this.config.claimIdleMs,
        heartbeatIntervalMs: this.config.blockMs,
        handlerConfig: webhook ? this.handlerConfigOf(dto.handlerConfig!) : null,
        deadLetterQueue: queue.settings.deadLetter ? this.redis.deadLetterKey(queue.row.name) : null,
        maxRetryAttempts: queue.settings.maxAttempts,
        retryDelayMs: queue.settings.retryDelayMs,
        messageFilter: dto.messageFilter ? { ...dto.messageFilter } : null,
        status: 'active',
        tenantId: principal.tenantId,
      }));
      if (secret) await manager.save(manager.create(WebhookSecretEntity, { subscriptionId: id, secret }));
    }).catch(err => {
      // Two concurrent creations of the same group: the unique constraint decides.
      if ((err as { driverError?: { code?: string } }).driverError?.code === '23505') throw subscriptionExists(group, dto.topic);
      throw err;
    });
    if (webhook) {
      // Starts this replica's consumer now (others follow at their next sync); the group is created at startFrom.
      await this.runtime.syncNow();
    } else {
      await this.redis.createGroup(queue.row.name, group, startFrom);
    }
    await this.audit.record(principal, {
      action: 'subscription.create',
      resourceType: 'subscription',
      resourceId: id,
      details: { queue: dto.topic, type: dto.type, consumerGroup: group, url: dto.handlerConfig?.url },
    });
    const view = await this.get(principal, id);
    return secret ? { ...view, secret } : view;
  }

  async list(principal: Principal, queue?: string): Promise<SubscriptionView[]> {
    const query = this.db
      .getRepository(MessageSubscriptionEntity)
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.topic', 't')
      .where('s.tenantId = :tenantId', { tenantId: principal.tenantId })
      .orderBy('s.createdAt');
    if (queue !== undefined) {
      query.andWhere('t.name = :topic', { topic: (await this.queues.find(principal.tenantId, queue)).row.name });
    }
    const rows = (await query.getMany()) as LoadedSubscription[];
    return (await this.withStats(rows)).map(view => visibleTo(principal, view));
  }

  async get(principal: Principal, id: string): Promise<SubscriptionView> {
    return visibleTo(principal, (await this.withStats([await this.find(principal, id)]))[0]);
  }

  async update(principal: Principal, id: string, dto: UpdateSubscriptionDto): Promise<SubscriptionView> {
    const row = await this.find(principal, id);
    if (row.subscriptionType !== 'webhook' && (dto.handlerConfig || dto.messageFilter)) {
      throw MqException.validation('handlerConfig and messageFilter apply to webhook subscriptions only');
    }
    const changes: Partial<MessageSubscriptionEntity> = {};
    if (dto.handlerConfig) await this.urls.check(dto.handlerConfig.url);
    if (dto.handlerConfig) changes.handlerConfig = this.handlerConfigOf(dto.handlerConfig);
    if (dto.messageFilter !== undefined) changes.messageFilter = dto.messageFilter ? { ...dto.messageFilter } : null;
    if (Object.keys(changes).length) {
      await this.db.getRepository(MessageSubscriptionEntity).save({ id, ...changes });
      await this.runtime.syncNow();
    }
    await this.audit.record(principal, {
      action: 'subscription.update',
      resourceType: 'subscription',
      resourceId: id,
      details: { url: dto.handlerConfig?.url, messageFilter: dto.messageFilter },
    });
    return this.get(principal, id);
  }

  /** Deletes a subscription: its consumer stops, its consumer group is removed from the stream. */
  async delete(principal: Principal, id: string): Promise<void> {
    const row = await this.find(principal, id);
    await this.db.getRepository(MessageSubscriptionEntity).delete({ id });
    // A webhook's consumer stops in the sync, which then removes its group; an external group goes here.
    if (row.subscriptionType === 'webhook') await this.runtime.syncNow();
    else await this.redis.destroyGroup(row.topic.name, row.consumerGroup);
    await this.audit.record(principal, { action: 'subscription.delete', resourceType: 'subscription', resourceId: id });
  }

  /** Pauses the group: every consumer of it stops reading within a second; in-flight work finishes. */
  async pause(principal: Principal, id: string): Promise<SubscriptionView> {
    const row = await this.find(principal, id);
    await this.admin.pauseGroup(row.topic.name, row.consumerGroup);
    await this.db.getRepository(MessageSubscriptionEntity).update({ id }, { status: 'paused' });
    await this.audit.record(principal, { action: 'subscription.pause', resourceType: 'subscription', resourceId: id });
    return this.get(principal, id);
  }

  /** Resumes a paused group. */
  async resume(principal: Principal, id: string): Promise<SubscriptionView> {
    const row = await this.find(principal, id);
    await this.admin.resumeGroup(row.topic.name, row.consumerGroup);
    await this.db.getRepository(MessageSubscriptionEntity).update({ id }, { status: 'active' });
    await this.audit.record(principal, { action: 'subscription.resume', resourceType: 'subscription', resourceId: id });
    return this.get(principal, id);
  }

  /** A subscription of the caller's tenant: 404 if none has this id, 403 if it belongs to another tenant. */
  private async find(principal: Principal, id: string): Promise<LoadedSubscription> {
    const row = (await this.db
      .getRepository(MessageSubscriptionEntity)
      .findOne({ where: { id }, relations: { topic: true } })) as LoadedSubscription | null;
    if (!row || row.tenantId === null) throw MqException.subscriptionNotFound(id);
    if (row.tenantId !== principal.tenantId) throw MqException.forbidden('The subscription belongs to another tenant');
    return row;
  }

  private async withStats(rows: LoadedSubscription[]): Promise<SubscriptionView[]> {
    const counters = await this.redis.stats(rows.map(r => r.id));
    const topics = [...new Set(rows.map(r => r.topic.name))];
    const infos = new Map(await Promise.all(topics.map(async t => [t, await this.admin.getTopic(t)] as const)));
    return rows.map(row =>
      toSubscriptionView(row, counters.get(row.id), infos.get(row.topic.name)?.groups.find(g => g.name === row.consumerGroup)),
    );
  }

  private handlerConfigOf(config: NonNullable<CreateSubscriptionDto['handlerConfig']>): Record<string, unknown> {
    return {
      url: config.url,
      headers: Object.fromEntries(Object.entries(config.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      timeoutMs: config.timeoutMs ?? this.config.webhookTimeoutMs,
    };
  }
}

/** Webhook header values and URLs (receiver credentials) are for admins only. */
function visibleTo(principal: Principal, view: SubscriptionView): SubscriptionView {
  return principal.roles.includes(ADMIN_ROLE) ? view : withoutReceiverCredentials(view);
}

/** The fields each type needs and refuses. */
function checkShape(dto: CreateSubscriptionDto): void {
  if (dto.type === 'webhook') {
    if (!dto.handlerConfig) throw MqException.validation('A webhook subscription needs handlerConfig.url');
    if (dto.consumerGroup || dto.consumerName) {
      throw MqException.validation('consumerGroup / consumerName are chosen by the service for webhooks');
    }
    return;
  }
  if (!dto.consumerGroup) throw MqException.validation('A redis_consumer subscription needs consumerGroup');
  if (dto.consumerGroup.startsWith(WEBHOOK_GROUP_PREFIX)) {
    throw MqException.validation(`Consumer groups starting with "${WEBHOOK_GROUP_PREFIX}" are reserved for webhooks`);
  }
  if (dto.handlerConfig || dto.messageFilter) {
    throw MqException.validation('handlerConfig and messageFilter apply to webhook subscriptions only');
  }
}

function subscriptionExists(group: string, queue: string): MqException {
  return new MqException(HttpStatus.CONFLICT, MqErrorCode.SUBSCRIPTION_EXISTS, `Group "${group}" is already subscribed to queue "${queue}"`);
}
