import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { MessageTopicEntity } from './message-topic.entity.js';

/** How a subscription receives messages: a consumer group of services, or HTTP POSTs. */
export type MessageSubscriptionType = 'redis_consumer' | 'webhook';

/** Lifecycle of a subscription. */
export type MessageSubscriptionStatus = 'active' | 'paused' | 'stopped';

/**
 * A consumer group's subscription to a topic, table `message_subscriptions`. The transport
 * registers `(topic, group)` when it starts consuming (consumer_name = the group, unless the admin
 * API created one for that group first); consumption records point here.
 * @publicApi
 */
@Entity('message_subscriptions')
@Unique('uq_message_subscriptions_topic_group_consumer', ['topicId', 'consumerGroup', 'consumerName'])
@Check('chk_message_subscriptions_type', `"subscription_type" IN ('redis_consumer', 'webhook')`)
@Check('chk_message_subscriptions_offset_reset', `"offset_reset_policy" IN ('earliest', 'latest')`)
@Check('chk_message_subscriptions_status', `"status" IN ('active', 'paused', 'stopped')`)
export class MessageSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_message_subscriptions' })
  id: string;

  @Column({ name: 'topic_id', type: 'uuid' })
  topicId: string;

  @ManyToOne(() => MessageTopicEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'topic_id', foreignKeyConstraintName: 'fk_message_subscriptions_topic' })
  topic?: MessageTopicEntity;

  @Column({ name: 'consumer_group', type: 'varchar', length: 255 })
  consumerGroup: string;

  @Column({ name: 'consumer_name', type: 'varchar', length: 255 })
  consumerName: string;

  @Column({ name: 'subscription_type', type: 'varchar', length: 32, default: 'redis_consumer' })
  subscriptionType: MessageSubscriptionType;

  /** Where a new group starts: the transport's `startFrom`. */
  @Column({ name: 'offset_reset_policy', type: 'varchar', length: 16, default: 'latest' })
  offsetResetPolicy: 'earliest' | 'latest';

  /** XREADGROUP COUNT (`batchSize`). */
  @Column({ name: 'max_poll_records', type: 'integer', default: 64 })
  maxPollRecords: number;

  /** Idle time before another consumer takes a pending message over (`claimIdleMs`). */
  @Column({ name: 'session_timeout_ms', type: 'integer', default: 30_000 })
  sessionTimeoutMs: number;

  /** XREADGROUP BLOCK (`blockMs`): how often a live read loop answers. */
  @Column({ name: 'heartbeat_interval_ms', type: 'integer', default: 2_000 })
  heartbeatIntervalMs: number;

  /** Handler settings, e.g. `{ url, headers, timeoutMs }` of a webhook. */
  @Column({ name: 'handler_config', type: 'jsonb', nullable: true })
  handlerConfig: Record<string, unknown> | null;

  /** The dead-letter stream key, or null when dead-lettering is off. */
  @Column({ name: 'dead_letter_queue', type: 'varchar', length: 512, nullable: true })
  deadLetterQueue: string | null;

  @Column({ name: 'max_retry_attempts', type: 'integer', default: 3 })
  maxRetryAttempts: number;

  @Column({ name: 'retry_delay_ms', type: 'integer', default: 1_000 })
  retryDelayMs: number;

  @Column({ name: 'message_filter', type: 'jsonb', nullable: true })
  messageFilter: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: MessageSubscriptionStatus;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Settle time of the latest consumption record written for this subscription. */
  @Column({ name: 'last_consumed_at', type: 'timestamptz', nullable: true })
  lastConsumedAt: Date | null;
}
