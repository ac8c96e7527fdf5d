/**
 * Tenancy scheme: a tenant's queue `<name>` is the Redis topic `<tenant_id>.<name>` (stream key
 * `{prefix}:{<tenant_id>.<name>}`). Tenant ids contain no dot, so the first dot always separates
 * the tenant from the queue name and two tenants can never name the same topic. The tenant id
 * `platform` is reserved for the service's own topics (`platform.user.registered`, …).
 */

/** A tenant id: letters, digits, `_` and `-`, no dot (see the scheme above). */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A queue name within a tenant: lower-case letters, digits, `.`, `_` and `-`. */
export const QUEUE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** The tenant of the service's own topics; no token may carry it. */
export const PLATFORM_TENANT = 'platform';

/** The Redis topic of a tenant's queue. */
export function topicOf(tenantId: string, queueName: string): string {
  return `${tenantId}.${queueName}`;
}

/** The queue name of a tenant's topic (the part after the tenant id). */
export function queueNameOf(topic: string): string {
  const dot = topic.indexOf('.');
  return dot < 0 ? topic : topic.slice(dot + 1);
}

/** The tenant id of a topic (the part before the first dot). */
export function tenantOf(topic: string): string {
  const dot = topic.indexOf('.');
  return dot < 0 ? '' : topic.slice(0, dot);
}
