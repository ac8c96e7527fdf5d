import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queueNameOf } from '../common/tenancy/topic-names.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { retryOptionsOf } from '../queues/queue-policy.js';
import { WebhookConsumers } from '../subscriptions/webhook/webhook-consumers.service.js';
import type { WebhookTarget } from '../subscriptions/webhook/webhook-target.js';
import { payloadSettingsOf, type QueuePayloadRow } from '../payload/queue-payload-row.js';
import { QueueRuntimeRegistry } from './queue-runtime.registry.js';

/** Every queue managed by the admin API (the recorder's own topic rows have no settings row). */
const QUEUES_SQL = `
SELECT t.name AS topic, t.retention_ms, s.max_length, t.tenant_id, t.message_format, t.compression_type, t.schema_definition, s.encrypted
FROM message_topics t JOIN mq_queue_settings s ON s.topic_id = t.id`;

/** Every webhook subscription with what its consumer needs. */
const WEBHOOKS_SQL = `
SELECT sub.id, sub.tenant_id, sub.consumer_group, sub.handler_config, sub.message_filter, sub.offset_reset_policy,
       t.name AS topic, w.secret, s.max_attempts, s.retry_delay_ms, s.retry_backoff, s.max_retry_delay_ms, s.dead_letter
FROM message_subscriptions sub
JOIN message_topics t ON t.id = sub.topic_id
JOIN mq_queue_settings s ON s.topic_id = t.id
JOIN mq_webhook_secrets w ON w.subscription_id = sub.id
WHERE sub.subscription_type = 'webhook'`;

/**
 * Makes this replica match PostgreSQL: the queue registry (max lengths, retentions) and the
 * webhook consumers. Runs at start-up (after the transport listens), right after every admin
 * mutation on this replica, and every `SYNC_INTERVAL_MS` so other replicas follow too —
 * queue and subscription changes never need a restart.
 */
@Injectable()
export class RuntimeSync implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RuntimeSync.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastWarnAt = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: QueueRuntimeRegistry,
    private readonly webhooks: WebhookConsumers,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** First sync, then the periodic one. Call once the transport listens (`subscribe` needs it). */
  async start(): Promise<void> {
    await this.syncNow();
    this.timer = setInterval(() => void this.syncNow().catch(err => this.warn(err)), this.config.syncIntervalMs);
    this.timer.unref();
  }

  /**
   * Syncs now. A call during a running sync is folded into one more run after it, so the
   * caller's change is always seen; concurrent callers share that run.
   */
  syncNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Stops before the transport closes, and lets a running sync finish, so nothing subscribes to a closing server. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async syncOnce(): Promise<void> {
    const [queues, webhooks] = await Promise.all([
      this.db.query(QUEUES_SQL) as Promise<({ topic: string; retention_ms: string; max_length: number | null } & QueuePayloadRow)[]>,
      this.db.query(WEBHOOKS_SQL) as Promise<WebhookRow[]>,
    ]);
    this.registry.replaceAll(
      queues.map(q => ({ topic: q.topic, retentionMs: Number(q.retention_ms), maxLength: q.max_length ?? undefined, payload: payloadSettingsOf(q) })),
    );
    if (this.stopped) return;
    await this.webhooks.reconcile(webhooks.map(row => this.targetOf(row)));
  }

  private targetOf(row: WebhookRow): WebhookTarget {
    const config = row.handler_config ?? {};
    return {
      subscriptionId: row.id,
      tenantId: row.tenant_id,
      queue: queueNameOf(row.topic),
      topic: row.topic,
      group: row.consumer_group,
      url: String(config.url),
      headers: (config.headers as Record<string, string> | undefined) ?? {},
      timeoutMs: Number(config.timeoutMs ?? this.config.webhookTimeoutMs),
      secret: row.secret,
      filter: row.message_filter,
      startFrom: row.offset_reset_policy,
      retry: retryOptionsOf({
        maxAttempts: row.max_attempts,
        retryDelayMs: row.retry_delay_ms,
        retryBackoff: row.retry_backoff,
        maxRetryDelayMs: row.max_retry_delay_ms,
      }),
      deadLetter: row.dead_letter,
    };
  }

  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 60_000) return;
    this.lastWarnAt = now;
    this.logger.warn(`Could not sync queues and subscriptions: ${(err as Error)?.message ?? err}`);
  }
}

interface WebhookRow {
  id: string;
  tenant_id: string;
  consumer_group: string;
  handler_config: Record<string, unknown> | null;
  message_filter: WebhookTarget['filter'];
  offset_reset_policy: 'latest' | 'earliest';
  topic: string;
  secret: string;
  max_attempts: number;
  retry_delay_ms: number;
  retry_backoff: 'fixed' | 'exponential';
  max_retry_delay_ms: number;
  dead_letter: boolean;
}
