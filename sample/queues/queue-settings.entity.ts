import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { MessageTopicEntity } from '../../lib/typeorm/index.js';

/**
 * A queue's delivery settings that `message_topics` has no column for, table
 * `mq_queue_settings` (one row per queue, deleted with it).
 */
@Entity('mq_queue_settings')
@Check('chk_mq_queue_settings_backoff', `"retry_backoff" IN ('fixed', 'exponential')`)
export class QueueSettingsEntity {
  /** The queue (`message_topics.id`). */
  @PrimaryColumn({ name: 'topic_id', type: 'uuid', primaryKeyConstraintName: 'pk_mq_queue_settings' })
  topicId: string;

  // Many-to-one on the primary key: one row per topic, without the extra unique constraint of a one-to-one.
  @ManyToOne(() => MessageTopicEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'topic_id', foreignKeyConstraintName: 'fk_mq_queue_settings_topic' })
  topic?: MessageTopicEntity;

  /** Publishing past this backlog (unacked + unread + delayed) is refused (429); null = unbounded. */
  @Column({ name: 'max_length', type: 'integer', nullable: true })
  maxLength: number | null;

  /** Deliveries in all before a message is dead-lettered. */
  @Column({ name: 'max_attempts', type: 'integer', default: 5 })
  maxAttempts: number;

  /** Base delay between attempts (ms). */
  @Column({ name: 'retry_delay_ms', type: 'integer', default: 1_000 })
  retryDelayMs: number;

  /** `fixed` or `exponential` backoff. */
  @Column({ name: 'retry_backoff', type: 'varchar', length: 16, default: 'exponential' })
  retryBackoff: 'fixed' | 'exponential';

  /** Upper bound of one delay (ms). */
  @Column({ name: 'max_retry_delay_ms', type: 'integer', default: 60_000 })
  maxRetryDelayMs: number;

  /** Failed after the last attempt → dead-letter stream (false: dropped with a warning). */
  @Column({ name: 'dead_letter', type: 'boolean', default: true })
  deadLetter: boolean;

  /** Payloads encrypted with the tenant's key (AES-256-GCM); `message_topics` has no column for it. */
  @Column({ type: 'boolean', default: false })
  encrypted: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
