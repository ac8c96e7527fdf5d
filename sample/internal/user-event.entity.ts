import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A user event received by the internal API, table `platform_user_events`: the business row
 * written in the same transaction as its outbox message, so the event is published if and only if
 * it was stored.
 */
@Entity('platform_user_events')
@Index('idx_platform_user_events_tenant_created', ['tenantId', 'createdAt'])
export class UserEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_platform_user_events' })
  id: string;

  /** The id of the message published for it (from the outbox). */
  @Column({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId: string;

  /** `user.registered` or `payment.succeeded`. */
  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
