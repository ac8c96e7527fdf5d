import type { TopicGroupInfo } from '../../lib/index.js';
import type { MessageSubscriptionEntity } from '../../lib/typeorm/index.js';
import { queueNameOf } from '../common/tenancy/topic-names.js';
import type { MessageFilter } from './message-filter.js';

/** Delivery counters and live group state of a subscription. */
export interface SubscriptionStatsView {
  /** Webhooks: messages POSTed with a 2xx answer. */
  delivered: number;
  /** Webhooks: messages acked without delivery because the filter did not match. */
  filtered: number;
  /** Webhooks: failed attempts (each one is retried, then dead-lettered). */
  failed: number;
  /** Delivered to the group, not yet acked (includes scheduled retries). */
  pending: number;
  /** Not yet delivered to the group. */
  lag: number | null;
  consumers: number;
}

/** A subscription as the API shows it. The webhook secret is never part of it (only of the creation answer). */
export interface SubscriptionView {
  id: string;
  queue: string;
  /** The Redis topic and consumer group: what an external consumer reads (`@EventPattern(topic, { group })`). */
  topic: string;
  type: 'webhook' | 'redis_consumer';
  consumerGroup: string;
  consumerName: string;
  status: string;
  startFrom: 'latest' | 'earliest';
  handlerConfig: { url: string; headers: Record<string, string>; timeoutMs: number } | null;
  messageFilter: MessageFilter | null;
  maxRetryAttempts: number;
  retryDelayMs: number;
  deadLetter: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastConsumedAt: Date | null;
  stats?: SubscriptionStatsView;
}

/** The API view of a subscription whose `topic` relation is loaded. */
export function toSubscriptionView(
  row: MessageSubscriptionEntity & { topic: { name: string } },
  stats?: { delivered: number; filtered: number; failed: number },
  group?: TopicGroupInfo,
): SubscriptionView {
  const config = row.handlerConfig as SubscriptionView['handlerConfig'];
  return {
    id: row.id,
    queue: queueNameOf(row.topic.name),
    topic: row.topic.name,
    type: row.subscriptionType,
    consumerGroup: row.consumerGroup,
    consumerName: row.consumerName,
    status: row.status,
    startFrom: row.offsetResetPolicy,
    handlerConfig: config ? { url: config.url, headers: config.headers ?? {}, timeoutMs: config.timeoutMs } : null,
    messageFilter: row.messageFilter as MessageFilter | null,
    maxRetryAttempts: row.maxRetryAttempts,
    retryDelayMs: row.retryDelayMs,
    deadLetter: row.deadLetterQueue !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastConsumedAt: row.lastConsumedAt,
    ...(stats && {
      stats: { ...stats, pending: group?.pending ?? 0, lag: group ? group.lag : null, consumers: group?.consumers ?? 0 },
    }),
  };
}

/** What a token without the `admin` role sees instead of a webhook header value or the private parts of its URL. */
export const REDACTED = '[redacted]';

/**
 * The view for a token without the `admin` role: what the receiver's credentials may be in is
 * replaced — header values (names stay), and every part of the URL but its scheme, host and port
 * (userinfo, path, query, fragment: `?token=…`, Slack-style `/services/T…/B…/<secret>`). Any token
 * of the tenant may read subscriptions; only admins, who set them, read them back.
 */
export function withoutReceiverCredentials(view: SubscriptionView): SubscriptionView {
  if (!view.handlerConfig) return view;
  const headers = Object.fromEntries(Object.keys(view.handlerConfig.headers).map(name => [name, REDACTED]));
  return { ...view, handlerConfig: { ...view.handlerConfig, url: redactedUrl(view.handlerConfig.url), headers } };
}

/** `scheme://host:port` of a URL, with `[redacted]` in place of each part after it (and of userinfo). */
export function redactedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return REDACTED;
  }
  const userinfo = url.username || url.password ? `${REDACTED}@` : '';
  const path = url.pathname && url.pathname !== '/' ? `/${REDACTED}` : '/';
  // `url.search` / `url.hash` are '' for a bare '?' or '#': those carry nothing.
  return `${url.protocol}//${userinfo}${url.host}${path}${url.search ? `?${REDACTED}` : ''}${url.hash ? `#${REDACTED}` : ''}`;
}
