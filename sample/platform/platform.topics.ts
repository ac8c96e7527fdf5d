import { PLATFORM_TENANT } from '../common/tenancy/topic-names.js';

/**
 * The service's own topics (original design's platform events). They live under the reserved
 * tenant id `platform`, so no tenant queue can ever share their stream; the tenant a message is
 * about travels in its payload (`tenantId`) and its `x-tenant-id` header.
 */
export const PLATFORM_TOPICS = {
  userRegistered: `${PLATFORM_TENANT}.user.registered`,
  paymentSucceeded: `${PLATFORM_TENANT}.payment.succeeded`,
  auditLog: `${PLATFORM_TENANT}.audit.log`,
  notificationRequested: `${PLATFORM_TENANT}.notification.requested`,
} as const;

/** Every platform topic. */
export const ALL_PLATFORM_TOPICS: string[] = Object.values(PLATFORM_TOPICS);
