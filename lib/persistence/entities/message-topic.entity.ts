import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './column-types.js';

/** Lifecycle of a topic: `paused` and `archived` are set by the admin API, never by the transport. */
export type MessageTopicStatus = 'active' | 'paused' | 'archived';

/**
 * A topic (one Redis stream), table `message_topics`. The transport registers every topic it
 * consumes; the admin API creates and edits them. The name is unique per tenant.
 * @publicApi
 */
@Entity('message_topics')
@Unique('uq_message_topics_tenant_name', ['tenantId', 'name'])
// PostgreSQL treats NULLs as distinct in a unique constraint: topics without a tenant need their own index.
@Index('uq_message_topics_name_without_tenant', ['name'], { unique: true, where: '"tenant_id" IS NULL' })
@Check('chk_message_topics_status', `"status" IN ('active', 'paused', 'archived')`)
@Check('chk_message_topics_topic_type', `"topic_type" IN ('redis_stream')`)
export class MessageTopicEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_message_topics' })
  id: string;

  /** The topic (`@EventPattern` / `emit` pattern); the stream key is `{prefix}:{<name>}`. */
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true })
  displayName: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'topic_type', type: 'varchar', length: 32, default: 'redis_stream' })
  topicType: 'redis_stream';

  @Column({ name: 'partition_count', type: 'integer', default: 1 })
  partitionCount: number;

  @Column({ name: 'replication_factor', type: 'integer', default: 1 })
  replicationFactor: number;

  /** How long acked entries are kept (ms). @defaultValue 7 days */
  @Column({ name: 'retention_ms', type: 'bigint', default: 604_800_000, transformer: BIGINT_AS_NUMBER })
  retentionMs: number;

  @Column({ name: 'message_format', type: 'varchar', length: 32, default: 'json' })
  messageFormat: string;

  /** Optional JSON schema of the payload. */
  @Column({ name: 'schema_definition', type: 'jsonb', nullable: true })
  schemaDefinition: Record<string, unknown> | null;

  @Column({ name: 'compression_type', type: 'varchar', length: 32, default: 'none' })
  compressionType: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId: string | null;

  @Column({ name: 'is_public', type: 'boolean', default: false })
  isPublic: boolean;

  /** Producers allowed to publish (service or user ids); empty = the owning tenant only. */
  @Column({ name: 'allowed_producers', type: 'jsonb', default: () => `'[]'` })
  allowedProducers: string[];

  /** Consumers allowed to subscribe; empty = the owning tenant only. */
  @Column({ name: 'allowed_consumers', type: 'jsonb', default: () => `'[]'` })
  allowedConsumers: string[];

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: MessageTopicStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
