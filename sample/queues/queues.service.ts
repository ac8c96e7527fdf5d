import { HttpStatus, Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { RedisStreamsAdmin } from '../../lib/index.js';
import { QueueMetricsCollector } from '../../lib/prometheus/index.js';
import { MessageTopicEntity } from '../../lib/typeorm/index.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';
import { topicOf } from '../common/tenancy/topic-names.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { QueueRuntimeRegistry } from '../runtime/queue-runtime.registry.js';
import { RuntimeSync } from '../runtime/runtime-sync.service.js';
import type { CreateQueueDto } from './dto/create-queue.dto.js';
import type { UpdateQueueDto } from './dto/update-queue.dto.js';
import { payloadSettingsOfQueue } from '../payload/queue-payload-row.js';
import { schemaProblems } from '../payload/queue-payload.js';
import { QueueSettingsEntity } from './queue-settings.entity.js';
import { toQueueView, type Queue, type QueueView } from './queue.js';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * Queues of the caller's tenant: `message_topics` rows (name = the Redis topic
 * `<tenant_id>.<name>`) plus their `mq_queue_settings`. Purge, delete and stats go through
 * `RedisStreamsAdmin`; setting changes reach running consumers through `RuntimeSync`.
 */
@Injectable()
export class QueuesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    private readonly registry: QueueRuntimeRegistry,
    private readonly runtime: RuntimeSync,
    private readonly audit: AuditService,
    private readonly redis: SampleRedis,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
    @Optional() @Inject(QueueMetricsCollector) private readonly gauges?: QueueMetricsCollector | null,
  ) {}

  /** A queue of the tenant, or 404 MQ_QUEUE_NOT_FOUND. */
  async find(tenantId: string, name: string): Promise<Queue> {
    const row = await this.db.getRepository(MessageTopicEntity).findOneBy({ tenantId, name: topicOf(tenantId, name) });
    const settings = row && (await this.db.getRepository(QueueSettingsEntity).findOneBy({ topicId: row.id }));
    if (!row || !settings) throw MqException.queueNotFound(name);
    return { row, settings };
  }

  /** Every queue of the tenant, by name, with live stats. */
  async list(principal: Principal): Promise<QueueView[]> {
    const rows = await this.db
      .getRepository(MessageTopicEntity)
      .createQueryBuilder('t')
      .innerJoin(QueueSettingsEntity, 's', 's.topicId = t.id')
      .where('t.tenantId = :tenantId', { tenantId: principal.tenantId })
      .orderBy('t.name')
      .getMany();
    const settings = rows.length
      ? await this.db.getRepository(QueueSettingsEntity).findBy(rows.map(r => ({ topicId: r.id })))
      : [];
    const byId = new Map(settings.map(s => [s.topicId, s]));
    const infos = await Promise.all(rows.map(row => this.admin.getTopic(row.name)));
    return rows.map((row, i) => toQueueView({ row, settings: byId.get(row.id)! }, infos[i] ?? null));
  }

  /** One queue with live stats. */
  async get(principal: Principal, name: string): Promise<QueueView> {
    const queue = await this.find(principal.tenantId, name);
    return toQueueView(queue, (await this.admin.getTopic(queue.row.name)) ?? null);
  }

  /** Creates a queue: 409 if the name is taken in the tenant, 429 past the tenant's quota. */
  async create(principal: Principal, dto: CreateQueueDto): Promise<QueueView> {
    this.checkPayloadSettings(dto);
    const topic = topicOf(principal.tenantId, dto.name);
    const queue = await this.db.transaction(async manager => {
      // Serialises creations of one tenant, so two concurrent ones cannot both pass the quota check.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mq-queues:${principal.tenantId}`]);
      const [{ count }] = await manager.query(
        `SELECT count(*)::int AS count FROM message_topics t JOIN mq_queue_settings s ON s.topic_id = t.id WHERE t.tenant_id = $1`,
        [principal.tenantId],
      );
      if (count >= this.config.maxQueuesPerTenant) {
        throw MqException.quota(`The tenant already has ${count} queues (limit ${this.config.maxQueuesPerTenant})`);
      }
      try {
        return await this.insert(manager, principal.tenantId, topic, dto);
      } catch (err) {
        if ((err as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
          throw new MqException(HttpStatus.CONFLICT, MqErrorCode.QUEUE_EXISTS, `Queue "${dto.name}" already exists`);
        }
        throw err;
      }
    });
    this.registry.set({
      topic,
      maxLength: queue.settings.maxLength ?? undefined,
      retentionMs: queue.row.retentionMs,
      payload: payloadSettingsOfQueue(queue.row, queue.settings),
    });
    this.gauges?.track(topic);
    await this.audit.record(principal, { action: 'queue.create', resourceType: 'queue', resourceId: dto.name, details: { ...dto } });
    return toQueueView(queue, null);
  }

  /** Changes a queue's settings; running consumers apply them from their next message. */
  async update(principal: Principal, name: string, dto: UpdateQueueDto): Promise<QueueView> {
    this.checkPayloadSettings(dto);
    const queue = await this.find(principal.tenantId, name);
    const { row, settings } = queue;
    assign(row, {
      messageFormat: dto.messageFormat,
      compressionType: dto.compressionType,
      schemaDefinition: dto.schemaDefinition,
      displayName: dto.displayName,
      description: dto.description,
      retentionMs: dto.retentionMs,
      allowedProducers: dto.allowedProducers,
      allowedConsumers: dto.allowedConsumers,
    });
    assign(settings, {
      maxLength: dto.maxLength,
      maxAttempts: dto.maxAttempts,
      retryDelayMs: dto.retryDelayMs,
      retryBackoff: dto.retryBackoff,
      maxRetryDelayMs: dto.maxRetryDelayMs,
      deadLetter: dto.deadLetter,
      encrypted: dto.encrypted,
    });
    await this.db.transaction(async manager => {
      await manager.save(row);
      await manager.save(settings);
      // The subscriptions' copies of the policy (what the transport's recorder and reports read).
      await manager.query(
        `UPDATE message_subscriptions SET max_retry_attempts = $2, retry_delay_ms = $3, dead_letter_queue = $4, updated_at = now() WHERE topic_id = $1`,
        [row.id, settings.maxAttempts, settings.retryDelayMs, settings.deadLetter ? this.redis.deadLetterKey(row.name) : null],
      );
    });
    this.registry.set({
      topic: row.name,
      maxLength: settings.maxLength ?? undefined,
      retentionMs: row.retentionMs,
      payload: payloadSettingsOfQueue(row, settings),
    });
    await this.runtime.syncNow();
    await this.audit.record(principal, { action: 'queue.update', resourceType: 'queue', resourceId: name, details: { ...dto } });
    return toQueueView(queue, (await this.admin.getTopic(row.name)) ?? null);
  }

  /** Deletes a queue: its subscriptions (their consumers stop), its rows and every Redis key. */
  async delete(principal: Principal, name: string): Promise<void> {
    const { row } = await this.find(principal.tenantId, name);
    await this.db.getRepository(MessageTopicEntity).delete({ id: row.id });
    this.registry.delete(row.name);
    // Stops this replica's webhook consumers of the queue before its keys go (a running consumer would recreate them).
    await this.runtime.syncNow();
    await this.admin.deleteTopic(row.name);
    await this.audit.record(principal, { action: 'queue.delete', resourceType: 'queue', resourceId: name });
  }

  /** Deletes every message of a queue (stream, delayed, scheduled retries); groups stay. */
  async purge(principal: Principal, name: string): Promise<{ removed: number }> {
    const { row } = await this.find(principal.tenantId, name);
    const removed = await this.admin.purgeTopic(row.name);
    await this.audit.record(principal, { action: 'queue.purge', resourceType: 'queue', resourceId: name, details: { removed } });
    return { removed };
  }

  /** 400 for a schema that does not compile, or encryption without master keys configured. */
  private checkPayloadSettings(dto: UpdateQueueDto): void {
    const problems = dto.schemaDefinition ? schemaProblems(dto.schemaDefinition) : undefined;
    if (problems) throw MqException.validation('schemaDefinition is not a valid JSON Schema', problems);
    if (dto.encrypted && !this.config.payloadKeys) {
      throw MqException.validation('Encrypted queues need MQ_PAYLOAD_MASTER_KEYS to be configured');
    }
  }

  private async insert(manager: EntityManager, tenantId: string, topic: string, dto: CreateQueueDto): Promise<Queue> {
    const row = manager.create(MessageTopicEntity, {
      name: topic,
      displayName: dto.displayName ?? dto.name,
      description: dto.description ?? null,
      tenantId,
      allowedProducers: dto.allowedProducers ?? [],
      allowedConsumers: dto.allowedConsumers ?? [],
      ...(dto.retentionMs !== undefined && { retentionMs: dto.retentionMs }),
      ...(dto.messageFormat !== undefined && { messageFormat: dto.messageFormat }),
      ...(dto.compressionType !== undefined && { compressionType: dto.compressionType }),
      schemaDefinition: dto.schemaDefinition ?? null,
    });
    await manager.save(row);
    const settings = manager.create(QueueSettingsEntity, {
      topicId: row.id,
      maxLength: dto.maxLength ?? null,
      ...(dto.maxAttempts !== undefined && { maxAttempts: dto.maxAttempts }),
      ...(dto.retryDelayMs !== undefined && { retryDelayMs: dto.retryDelayMs }),
      ...(dto.retryBackoff !== undefined && { retryBackoff: dto.retryBackoff }),
      ...(dto.maxRetryDelayMs !== undefined && { maxRetryDelayMs: dto.maxRetryDelayMs }),
      ...(dto.deadLetter !== undefined && { deadLetter: dto.deadLetter }),
      ...(dto.encrypted !== undefined && { encrypted: dto.encrypted }),
    });
    await manager.save(settings);
    // Read back: column defaults (retention, policy, timestamps) come from PostgreSQL.
    return {
      row: await manager.findOneByOrFail(MessageTopicEntity, { id: row.id }),
      settings: await manager.findOneByOrFail(QueueSettingsEntity, { topicId: row.id }),
    };
  }
}

/** Copies the defined fields of `changes` onto `target` (undefined = unchanged; null is a value). */
function assign<T extends object>(target: T, changes: Partial<T>): void {
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}
