import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { RedisStreamsContext, UnrecoverableMessageError } from '../../lib/index.js';
import { RedisStreamsInbox } from '../../lib/typeorm/index.js';
import { PlatformEffects } from './platform-effects.service.js';
import type { AuditLogEvent, NotificationRequestedEvent, PaymentSucceededEvent, UserRegisteredEvent } from './platform-events.js';
import { PLATFORM_TOPICS } from './platform.topics.js';

/**
 * The platform's own consumers (original design): each records its effect in PostgreSQL through
 * the inbox, so a redelivered message (a crash after the commit, before the ack) changes nothing.
 * They run in the server's group (`MQ_GROUP`) with its retry policy: a database hiccup is
 * retried, a malformed event is dead-lettered at once (`UnrecoverableMessageError`).
 */
@Controller()
export class PlatformHandlers {
  private readonly logger = new Logger(PlatformHandlers.name);

  constructor(
    private readonly effects: PlatformEffects,
    @Inject(RedisStreamsInbox) private readonly inbox: RedisStreamsInbox,
  ) {}

  /** A new user gets a welcome e-mail notification. */
  @EventPattern<string>(PLATFORM_TOPICS.userRegistered)
  async onUserRegistered(@Payload() event: UserRegisteredEvent, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    requireFields(event, ['tenantId', 'userId', 'email']);
    const outcome = await this.inbox.run(ctx, manager =>
      this.effects.notify(manager, ctx.getMessageId(), {
        tenantId: event.tenantId,
        userId: event.userId,
        channel: 'email',
        template: 'welcome',
        recipient: event.email,
        data: { name: event.name ?? null },
      }),
    );
    if (!outcome.duplicate) this.logger.log(`Welcome notification for user ${event.userId} of tenant ${event.tenantId}`);
  }

  /** A successful payment is booked (once per payment id). */
  @EventPattern<string>(PLATFORM_TOPICS.paymentSucceeded)
  async onPaymentSucceeded(@Payload() event: PaymentSucceededEvent, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    requireFields(event, ['tenantId', 'paymentId', 'currency']);
    if (!Number.isSafeInteger(event.amountMinor) || event.amountMinor < 0) {
      throw new UnrecoverableMessageError('payment.succeeded: amountMinor must be a non-negative integer');
    }
    await this.inbox.run(ctx, manager => this.effects.bookPayment(manager, ctx.getMessageId(), event));
  }

  /** Another service's audit event is stored. */
  @EventPattern<string>(PLATFORM_TOPICS.auditLog)
  async onAuditLog(@Payload() event: AuditLogEvent, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    requireFields(event, ['tenantId', 'actor', 'action']);
    await this.inbox.run(ctx, manager => this.effects.recordAudit(manager, ctx.getMessageId(), event, ctx.getPublishedAt()));
  }

  /** A requested notification is recorded as sent. */
  @EventPattern<string>(PLATFORM_TOPICS.notificationRequested)
  async onNotificationRequested(@Payload() event: NotificationRequestedEvent, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    requireFields(event, ['tenantId', 'channel', 'template', 'recipient']);
    await this.inbox.run(ctx, manager => this.effects.notify(manager, ctx.getMessageId(), event));
  }
}

/** Retrying a malformed event cannot help: dead-letter it at once. */
function requireFields(event: unknown, fields: string[]): void {
  const missing = fields.filter(f => typeof (event as Record<string, unknown> | null)?.[f] !== 'string' || !(event as Record<string, string>)[f]);
  if (event === null || typeof event !== 'object' || missing.length) {
    throw new UnrecoverableMessageError(`malformed event: missing ${missing.join(', ') || 'payload'}`);
  }
}
