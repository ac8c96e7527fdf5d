import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The HMAC signing secret of a webhook subscription, table `mq_webhook_secrets`. Kept out of
 * `handler_config` so that no listing of subscriptions can ever leak it; shown once, at creation.
 */
@Entity('mq_webhook_secrets')
export class WebhookSecretEntity {
  @PrimaryColumn({ name: 'subscription_id', type: 'uuid', primaryKeyConstraintName: 'pk_mq_webhook_secrets' })
  subscriptionId: string;

  @Column({ type: 'varchar', length: 128 })
  secret: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
