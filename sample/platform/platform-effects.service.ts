import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditLogEvent, NotificationRequestedEvent, PaymentSucceededEvent } from './platform-events.js';

/**
 * What the platform handlers do, recorded in PostgreSQL with the inbox's transaction (`manager`):
 * the inbox runs each at most once per message, so the inserts need no dedup of their own. A
 * payment is still booked once per payment id, whatever the number of messages about it.
 * Resolves with whether a row was written.
 */
@Injectable()
export class PlatformEffects {
  async notify(manager: EntityManager, messageId: string, n: NotificationRequestedEvent): Promise<boolean> {
    const rows = await manager.query(
      `INSERT INTO platform_notifications (message_id, tenant_id, user_id, channel, template, recipient, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [messageId, n.tenantId, n.userId ?? null, n.channel, n.template, n.recipient, n.data ?? null],
    );
    return rows.length > 0;
  }

  async bookPayment(manager: EntityManager, messageId: string, p: PaymentSucceededEvent): Promise<boolean> {
    const rows = await manager.query(
      `INSERT INTO platform_payments (message_id, tenant_id, payment_id, user_id, amount_minor, currency)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, payment_id) DO NOTHING RETURNING id`,
      [messageId, p.tenantId, p.paymentId, p.userId ?? null, p.amountMinor, p.currency.toUpperCase()],
    );
    return rows.length > 0;
  }

  async recordAudit(manager: EntityManager, messageId: string, a: AuditLogEvent, publishedAt: Date): Promise<boolean> {
    const rows = await manager.query(
      `INSERT INTO platform_audit_events (message_id, tenant_id, actor, action, resource, details, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [messageId, a.tenantId, a.actor, a.action, a.resource ?? null, a.details ?? null, a.occurredAt ? new Date(a.occurredAt) : publishedAt],
    );
    return rows.length > 0;
  }
}
