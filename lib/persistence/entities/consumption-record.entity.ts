import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MessageSubscriptionEntity } from './message-subscription.entity.js';

/**
 * Outcome of one delivery: `success` (acked), `retrying` (retry scheduled), `dead_letter`,
 * `failed` (given up with dead-lettering off).
 */
export type ConsumptionStatus = 'success' | 'failed' | 'retrying' | 'dead_letter';

/**
 * One settled delivery of a message to a consumer group, table `consumption_records`: one row per
 * attempt, written in batches off the hot path. `subscription_id` references
 * `message_subscriptions` without a constraint (see `subscription`).
 * @publicApi
 */
@Entity('consumption_records')
// BRIN, not btree: rows arrive in consumed_at order, and a btree entry per row is a large part of recording's cost.
@Index('idx_consumption_records_consumed_brin', ['consumedAt'], { type: 'brin' })
@Index('idx_consumption_records_message_id', ['messageId'], { type: 'hash' })
@Index('idx_consumption_records_status_consumed', ['status', 'consumedAt'], { where: `"status" <> 'success'` })
@Check('chk_consumption_records_status', `"status" IN ('success', 'failed', 'retrying', 'dead_letter')`)
export class ConsumptionRecordEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_consumption_records' })
  id: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  /**
   * For joins only: no foreign key constraint, because checking it on every row of this
   * append-heavy table costs about a third of the insert (records of a deleted subscription are
   * left for retention clean-up).
   */
  @ManyToOne(() => MessageSubscriptionEntity, { createForeignKeyConstraints: false, nullable: false })
  @JoinColumn({ name: 'subscription_id' })
  subscription?: MessageSubscriptionEntity;

  /** The message id; null for an entry that could not be decoded. */
  @Column({ name: 'message_id', type: 'varchar', length: 64, nullable: true })
  messageId: string | null;

  /** The consumer (process) within the group that handled this delivery. */
  @Column({ name: 'consumer_instance', type: 'varchar', length: 255 })
  consumerInstance: string;

  @Column({ name: 'partition_id', type: 'integer', nullable: true })
  partitionId: number | null;

  @Column({ name: 'stream_entry_id', type: 'varchar', length: 64 })
  streamEntryId: string;

  @Column({ type: 'varchar', length: 16 })
  status: ConsumptionStatus;

  /** Handler time; 0 when no handler ran (undecodable entry). */
  @Column({ name: 'processing_time_ms', type: 'integer', default: 0 })
  processingTimeMs: number;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  /** Attempt − 1: 0 on the first delivery. */
  @Column({ name: 'retry_count', type: 'integer', default: 0 })
  retryCount: number;

  /** When the handler started. */
  @Column({ name: 'consumed_at', type: 'timestamptz' })
  consumedAt: Date;

  /** When the delivery was settled. */
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  /** When the next attempt is due, for `retrying`. */
  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId: string | null;
}
