import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One admin mutation (who, tenant, what, when), table `mq_admin_audit_log`. */
@Entity('mq_admin_audit_log')
@Index('idx_mq_admin_audit_log_tenant_created', ['tenantId', 'createdAt'])
export class AdminAuditLogEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_mq_admin_audit_log' })
  id: string;

  /** The token's `sub`. */
  @Column({ type: 'varchar', length: 255 })
  actor: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId: string;

  /** E.g. `queue.create`, `subscription.pause`, `dead_letters.retry`. */
  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** `queue`, `subscription` or `dead_letters`. */
  @Column({ name: 'resource_type', type: 'varchar', length: 32 })
  resourceType: string;

  /** Queue name or subscription id. */
  @Column({ name: 'resource_id', type: 'varchar', length: 255 })
  resourceId: string;

  /** What changed (never a secret). */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
