import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook request. */
export const WEBHOOK_HEADERS = {
  /** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
  signature: 'x-mq-signature',
  /** Unix time in seconds when the request was signed. */
  timestamp: 'x-mq-timestamp',
  messageId: 'x-mq-message-id',
  attempt: 'x-mq-attempt',
  queue: 'x-mq-queue',
  subscriptionId: 'x-mq-subscription-id',
} as const;

/** A new signing secret (shown once, when the subscription is created). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The signature of a webhook request: HMAC-SHA256 over `<timestamp>.<raw body>`, hex, prefixed
 * with the scheme version. Binding the timestamp lets receivers reject replays of old requests.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (documented for webhook consumers): recompute the signature over the raw
 * body and compare in constant time; reject timestamps further than `toleranceSeconds` from now.
 */
export function verifyWebhookSignature(
  secret: string,
  signature: string,
  timestamp: number,
  body: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
