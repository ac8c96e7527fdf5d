import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { MessageTopicEntity } from './message-topic.entity.js';

/** Where a published message stands, across all groups: the latest final outcome wins. */
export type MessageRecordStatus = 'published' | 'consumed' | 'failed' | 'dead_letter';

/**
 * One published message, table `message_records`: written on `emit` only when message recording
 * is on (off by default), then updated as groups settle it.
 * @publicApi
 */
@Entity('message_records')
@Unique('uq_message_records_message_id', ['messageId'])
@Index('idx_message_records_topic_published', ['topicId', 'publishedAt'])
@Index('idx_message_records_status_published', ['status', 'publishedAt'])
@Check('chk_message_records_status', `"status" IN ('published', 'consumed', 'failed', 'dead_letter')`)
export class MessageRecordEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_message_records' })
  id: string;

  @Column({ name: 'topic_id', type: 'uuid' })
  topicId: string;

  /** For joins only: no foreign key constraint on this append-heavy table (as on consumption records). */
  @ManyToOne(() => MessageTopicEntity, { createForeignKeyConstraints: false, nullable: false })
  @JoinColumn({ name: 'topic_id' })
  topic?: MessageTopicEntity;

  /** The ordering / partition key (`setKey`). */
  @Column({ name: 'message_key', type: 'varchar', length: 255, nullable: true })
  messageKey: string | null;

  /** The message id `emit` resolved with. */
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'correlation_id', type: 'varchar', length: 255, nullable: true })
  correlationId: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  headers: Record<string, string>;

  /** The payload; null when only metadata is recorded (the transport's default). */
  @Column({ type: 'jsonb', nullable: true })
  payload: unknown;

  /** Size of the encoded payload in bytes. */
  @Column({ name: 'payload_size', type: 'integer', default: 0 })
  payloadSize: number;

  @Column({ name: 'content_type', type: 'varchar', length: 128, default: 'application/json' })
  contentType: string;

  @Column({ name: 'partition_id', type: 'integer', nullable: true })
  partitionId: number | null;

  /** Redis stream entry id; null while a delayed message waits. */
  @Column({ name: 'stream_entry_id', type: 'varchar', length: 64, nullable: true })
  streamEntryId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'published' })
  status: MessageRecordStatus;

  /** Retries so far (highest attempt seen − 1). */
  @Column({ name: 'retry_count', type: 'integer', default: 0 })
  retryCount: number;

  @Column({ name: 'published_at', type: 'timestamptz', default: () => 'now()' })
  publishedAt: Date;

  /** Due time of a delayed message. */
  @Column({ name: 'scheduled_at', type: 'timestamptz', nullable: true })
  scheduledAt: Date | null;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  /** `published_at` + the topic's retention. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'producer_id', type: 'varchar', length: 255, nullable: true })
  producerId: string | null;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId: string | null;

  /** W3C trace id, from a `traceparent` header. */
  @Column({ name: 'trace_id', type: 'varchar', length: 64, nullable: true })
  traceId: string | null;
}
