import { Inject, Injectable, Logger } from '@nestjs/common';
import { RedisStreamsContext, ServerRedisStreams } from '../../../lib/index.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import { SampleRedis } from '../../common/redis/sample-redis.service.js';
import { matchesFilter } from '../message-filter.js';
import { WebhookDeliverer } from './webhook-deliverer.js';
import type { WebhookTarget } from './webhook-target.js';

/**
 * Runs one consumer per webhook subscription on the app's `ServerRedisStreams`
 * (`server.subscribe(topic, handler, { group })`), under the transport's retry and dead-letter
 * rules: the handler applies the filter (a filtered message is acked and counted), then POSTs;
 * it throws on anything but 2xx, so the message is retried with the queue's backoff and
 * dead-lettered after its max attempts. `reconcile` makes the running set match PostgreSQL.
 */
@Injectable()
export class WebhookConsumers {
  private readonly logger = new Logger(WebhookConsumers.name);
  /** Running consumers by subscription id; the handler reads its target from here, so url, headers and filter changes apply to the next message. */
  private readonly running = new Map<string, WebhookTarget>();

  constructor(
    @Inject(ServerRedisStreams) private readonly server: ServerRedisStreams,
    private readonly deliverer: WebhookDeliverer,
    private readonly redis: SampleRedis,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /**
   * Starts consumers of new subscriptions, stops (and removes the group of) deleted ones, and
   * applies changed retry / dead-letter settings to running ones. Errors are per subscription:
   * one that fails (e.g. Redis down) is tried again at the next reconcile.
   */
  async reconcile(targets: WebhookTarget[]): Promise<void> {
    const wanted = new Map(targets.map(t => [t.subscriptionId, t]));
    for (const [id, current] of this.running) {
      if (!wanted.has(id)) await this.stop(current).catch(err => this.warn(`stop ${id}`, err));
    }
    for (const target of wanted.values()) {
      const current = this.running.get(target.subscriptionId);
      try {
        if (!current) await this.start(target);
        else this.update(current, target);
      } catch (err) {
        this.warn(`start ${target.subscriptionId}`, err);
      }
    }
  }

  /** Ids of the subscriptions consumed by this replica. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  private async start(target: WebhookTarget): Promise<void> {
    await this.server.subscribe(target.topic, (data, ctx) => this.handle(target.subscriptionId, data, ctx), {
      group: target.group,
      startFrom: target.startFrom,
      retry: target.retry,
      deadLetter: target.deadLetter,
      concurrency: this.config.webhookConcurrency,
    });
    this.running.set(target.subscriptionId, target);
  }

  private update(current: WebhookTarget, next: WebhookTarget): void {
    if (JSON.stringify([current.retry, current.deadLetter]) !== JSON.stringify([next.retry, next.deadLetter])) {
      this.server.updatePolicy(next.topic, next.group, { retry: next.retry, deadLetter: next.deadLetter });
    }
    this.running.set(next.subscriptionId, next);
  }

  private async stop(target: WebhookTarget): Promise<void> {
    this.running.delete(target.subscriptionId);
    await this.server.unsubscribe(target.topic, target.group);
    // The subscription is gone (this runs only then): its group must not hold back trimming.
    await this.redis.destroyGroup(target.topic, target.group);
    await this.redis.deleteStats(target.subscriptionId);
  }

  private async handle(subscriptionId: string, data: unknown, ctx: RedisStreamsContext): Promise<void> {
    const target = this.running.get(subscriptionId);
    if (!target) return; // deleted while the message was in flight: nothing to deliver to
    if (!matchesFilter(target.filter, data, ctx.getHeaders())) {
      await this.redis.count(subscriptionId, 'filtered').catch(() => undefined);
      return;
    }
    try {
      await this.deliverer.deliver(target, {
        id: ctx.getMessageId(),
        queue: target.queue,
        attempt: ctx.getAttempt(),
        publishedAt: ctx.getPublishedAt().toISOString(),
        key: ctx.getKey() ?? null,
        headers: ctx.getHeaders(),
        data,
      });
    } catch (err) {
      await this.redis.count(subscriptionId, 'failed').catch(() => undefined);
      throw err;
    }
    await this.redis.count(subscriptionId, 'delivered').catch(() => undefined);
  }

  private warn(what: string, err: unknown): void {
    this.logger.warn(`Webhook consumer ${what}: ${(err as Error)?.message ?? err}`);
  }
}
