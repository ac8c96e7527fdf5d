/** Per-topic metrics. */
export interface TopicMetrics {
  queue: string;
  topic: string;
  /** Entries in the stream (backlog plus acked entries not yet trimmed). */
  length: number;
  delayed: number;
  deadLetters: number;
  /** Sum over groups of undelivered + unacked messages. */
  backlog: number;
  groups: number;
  publishedPerSec: number | null;
  /** Window of the rates (s); null until the first sample is a second old. */
  rateWindowSeconds: number | null;
}

/** Per-consumer-group metrics. */
export interface ConsumerMetrics {
  queue: string;
  topic: string;
  group: string;
  subscriptionId: string | null;
  type: 'webhook' | 'redis_consumer' | 'platform' | 'unregistered';
  paused: boolean;
  consumers: number;
  pending: number;
  lag: number | null;
  /** Age of the oldest message the group has not received yet (s); 0 when caught up. */
  lagSeconds: number;
  backlog: number;
  deliveredPerSec: number | null;
  /** Webhooks: counters since the subscription was created. */
  delivered?: number;
  filtered?: number;
  failed?: number;
}

/** Process and totals. */
export interface SystemMetrics {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  node: string;
  pid: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  cpuSeconds: number;
  /** Read loops of this replica (platform handlers and webhooks), and how many are alive. */
  readLoops: { total: number; alive: number };
  totals: { queues: number; messages: number; delayed: number; deadLetters: number; backlog: number };
}

/** One active alert of `GET /status`. */
export interface Alert {
  type: 'backlog' | 'lag' | 'dead_letters';
  queue: string;
  group?: string;
  value: number;
  threshold: number;
  message: string;
}
