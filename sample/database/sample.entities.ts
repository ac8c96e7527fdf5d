import { AdminAuditLogEntity } from '../audit/admin-audit-log.entity.js';
import { UserEventEntity } from '../internal/user-event.entity.js';
import { AuditEventEntity } from '../platform/entities/audit-event.entity.js';
import { NotificationEntity } from '../platform/entities/notification.entity.js';
import { PaymentEntity } from '../platform/entities/payment.entity.js';
import { QueueSettingsEntity } from '../queues/queue-settings.entity.js';
import { WebhookSecretEntity } from '../subscriptions/webhook/webhook-secret.entity.js';

/** The sample's own entities (tables of the sample's migrations), listed as classes: globs misbehave under jest. */
export const SAMPLE_ENTITIES = [
  QueueSettingsEntity,
  WebhookSecretEntity,
  AdminAuditLogEntity,
  NotificationEntity,
  PaymentEntity,
  AuditEventEntity,
  UserEventEntity,
] as const;
