import type { RetryOptions } from '../../../lib/index.js';
import type { MessageFilter } from '../message-filter.js';

/** Everything needed to run one webhook subscription's consumer, as read from PostgreSQL. */
export interface WebhookTarget {
  subscriptionId: string;
  tenantId: string;
  /** The queue name (shown to the receiver) and its Redis topic. */
  queue: string;
  topic: string;
  /** The consumer group of this subscription (`wh-<subscription id>`). */
  group: string;
  url: string;
  /** Extra request headers (never the `x-mq-*` ones). */
  headers: Record<string, string>;
  timeoutMs: number;
  secret: string;
  filter: MessageFilter | null;
  startFrom: 'latest' | 'earliest';
  /** The queue's retry policy and dead-letter switch. */
  retry: RetryOptions;
  deadLetter: boolean;
}
