import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditLogEvent, NotificationRequestedEvent, PaymentSucceededEvent } from './platform-events.js';

/**
 * What the platform handlers do, recorded in PostgreSQL. Every insert is keyed by the message id
 * (and a payment also by its payment id), so a redelivery — at-least-once — changes nothing.
 * Resolves with whether a row was written.
 */
@Injectable()
export class PlatformEffects {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async notify(messageId: string, n: NotificationRequestedEvent): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO platform_notifications (message_id, tenant_id, user_id, channel, template, recipient, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [messageId, n.tenantId, n.userId ?? null, n.channel, n.template, n.recipient, n.data ?? null],
    );
    return rows.length > 0;
  }

  async bookPayment(messageId: string, p: PaymentSucceededEvent): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO platform_payments (message_id, tenant_id, payment_id, user_id, amount_minor, currency)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
      [messageId, p.tenantId, p.paymentId, p.userId ?? null, p.amountMinor, p.currency.toUpperCase()],
    );
    return rows.length > 0;
  }

  async recordAudit(messageId: string, a: AuditLogEvent, publishedAt: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO platform_audit_events (message_id, tenant_id, actor, action, resource, details, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [messageId, a.tenantId, a.actor, a.action, a.resource ?? null, a.details ?? null, a.occurredAt ? new Date(a.occurredAt) : publishedAt],
    );
    return rows.length > 0;
  }
}
