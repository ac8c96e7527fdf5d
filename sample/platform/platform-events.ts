/** Payload of `platform.user.registered`. */
export interface UserRegisteredEvent {
  tenantId: string;
  userId: string;
  email: string;
  name?: string;
}

/** Payload of `platform.payment.succeeded`. */
export interface PaymentSucceededEvent {
  tenantId: string;
  userId?: string;
  paymentId: string;
  /** In the currency's minor unit (cents). */
  amountMinor: number;
  currency: string;
}

/** Payload of `platform.audit.log`. */
export interface AuditLogEvent {
  tenantId: string;
  actor: string;
  action: string;
  resource?: string;
  details?: Record<string, unknown>;
  /** ISO 8601; defaults to the publish time. */
  occurredAt?: string;
}

/** Payload of `platform.notification.requested`. */
export interface NotificationRequestedEvent {
  tenantId: string;
  userId?: string;
  channel: 'email' | 'sms' | 'push' | 'in_app';
  template: string;
  recipient: string;
  data?: Record<string, unknown>;
}
