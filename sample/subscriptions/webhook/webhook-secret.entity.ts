import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MessageSubscriptionEntity } from '../../../lib/typeorm/index.js';

/**
 * The HMAC signing secret of a webhook subscription, table `mq_webhook_secrets`. Kept out of
 * `handler_config` so that no listing of subscriptions can ever leak it; shown once, at creation.
 */
@Entity('mq_webhook_secrets')
export class WebhookSecretEntity {
  @PrimaryColumn({ name: 'subscription_id', type: 'uuid', primaryKeyConstraintName: 'pk_mq_webhook_secrets' })
  subscriptionId: string;

  @ManyToOne(() => MessageSubscriptionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'subscription_id', foreignKeyConstraintName: 'fk_mq_webhook_secrets_subscription' })
  subscription?: MessageSubscriptionEntity;

  @Column({ type: 'varchar', length: 128 })
  secret: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
