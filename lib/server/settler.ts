import type { LoggerService } from '@nestjs/common';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import type { ResolvedRetryPolicy } from '../interfaces/retry-options.interface.js';
import type {
  MessageOutcome,
  RedisStreamsObserver,
} from '../observer/redis-streams-observer.interface.js';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { decideFailure, describeError } from './settle-decision.js';

/** Keys of one (topic, group). */
export interface TopicGroupKeys {
  stream: string;
  deadLetter: string;
  deadLetterRefs: string;
  retry: string;
  failures: string;
}

/** One delivery being settled. */
export interface Delivery {
  entryId: string;
  fields: string[];
  attempt: number;
  messageId: string | undefined;
  publishedAt: number | undefined;
  headers?: Record<string, string>;
  startedAt: number;
}

/** Settling policy of one (topic, group). */
export interface SettlerOptions {
  topic: string;
  group: string;
  consumer: string;
  retry: ResolvedRetryPolicy;
  deadLetter: boolean;
}

/**
 * The single place that settles a delivery: ack on success, and for a failure the decision of
 * `decideFailure` carried out with one script call (schedule retry | dead letter). Acks are
 * batched: all successes of one event-loop turn go out as one XACK.
 */
export class Settler {
  private acks: string[] = [];
  private retriedAcks: string[] = [];
  private flushScheduled = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
    private readonly keys: TopicGroupKeys,
    private options: SettlerOptions,
    private readonly logger: LoggerService,
    private readonly observer: RedisStreamsObserver | undefined,
    /** Called when a retry is scheduled, so the scheduler can wake up in time. */
    private readonly onRetryScheduled: (dueAt: number) => void,
  ) {}

  /** Changes the retry policy / dead-lettering live: applies from the next failure on. */
  updatePolicy(policy: Partial<Pick<SettlerOptions, 'retry' | 'deadLetter'>>): void {
    this.options = { ...this.options, ...policy };
  }

  /** The handler succeeded: ack (batched). */
  succeeded(delivery: Delivery): void {
    if (delivery.attempt > 1) this.retriedAcks.push(delivery.entryId);
    else this.acks.push(delivery.entryId);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.track(this.flushAcks()));
    }
    this.report(delivery, 'acked');
  }

  /** The handler failed: retry later, dead-letter, or drop. */
  failed(delivery: Delivery, error: unknown): void {
    const decision = decideFailure(error, delivery.attempt, this.options.retry, this.options.deadLetter);
    const now = Date.now();
    const message = describeError(error);
    if (decision.action === 'retry') {
      const dueAt = now + decision.delayMs;
      this.track(
        this.scripts
          .scheduleRetry(this.keys, delivery.entryId, dueAt, now)
          .then(() => this.onRetryScheduled(dueAt))
          .catch(err => this.warn(`could not schedule the retry of ${delivery.entryId}; it will be reclaimed after claimIdleMs`, err)),
      );
      this.report(delivery, 'retried', message, dueAt);
    } else if (decision.action === 'dead-letter') {
      this.track(this.toDeadLetter(delivery.entryId, delivery.fields, message, delivery.attempt, now));
      this.report(delivery, 'dead_lettered', message);
    } else {
      this.logger.warn?.(
        `Dropping message ${delivery.messageId} (${this.options.topic}/${this.options.group}) after ${delivery.attempt} attempt(s), dead-lettering is off: ${message}`,
      );
      this.track(this.flushAckNow([delivery.entryId]));
      this.report(delivery, 'dropped', message);
    }
  }

  /** An entry that cannot be decoded: straight to the dead-letter stream, no handler call. */
  malformed(entryId: string, fields: string[] | null, reason: string, attempt: number): void {
    const safeFields = Array.isArray(fields) ? ['raw', JSON.stringify(fields)] : ['raw', String(fields)];
    this.logger.warn?.(`Malformed entry ${entryId} on ${this.keys.stream}: ${reason}; dead-lettered`);
    const now = Date.now();
    this.track(this.toDeadLetter(entryId, safeFields, `Malformed entry: ${reason}`, attempt, now));
    const delivery = { entryId, fields: safeFields, attempt, messageId: undefined, publishedAt: undefined, startedAt: now };
    this.report(delivery, 'dead_lettered', reason);
  }

  /** Resolves once every settle operation started so far is written (or failed). */
  async drain(): Promise<void> {
    if (this.acks.length || this.retriedAcks.length) this.track(this.flushAcks());
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async toDeadLetter(entryId: string, fields: string[], error: string, attempts: number, now: number) {
    const { topic, group } = this.options;
    try {
      await this.scripts.deadLetter(this.keys, { topic, group, entryId, error, attempts, now }, fields);
    } catch (err) {
      this.warn(`could not dead-letter ${entryId}; it stays pending and will be retried`, err);
    }
  }

  private async flushAcks(): Promise<void> {
    this.flushScheduled = false;
    const plain = this.acks;
    const retried = this.retriedAcks;
    this.acks = [];
    this.retriedAcks = [];
    const ids = retried.length ? plain.concat(retried) : plain;
    if (!ids.length) return;
    if (!retried.length) return this.flushAckNow(ids);
    try {
      const replies = await this.redis
        .pipeline()
        .xack(this.keys.stream, this.options.group, ...ids)
        .hdel(this.keys.failures, ...retried)
        .exec();
      const failed = replies?.find(([err]) => err);
      if (failed) throw failed[0];
    } catch (err) {
      this.warn(`could not ack ${ids.length} entries; they will be redelivered`, err);
    }
  }

  private async flushAckNow(ids: string[]): Promise<void> {
    try {
      await this.redis.xack(this.keys.stream, this.options.group, ...ids);
    } catch (err) {
      this.warn(`could not ack ${ids.length} entries; they will be redelivered`, err);
    }
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private report(delivery: Delivery, outcome: MessageOutcome, error?: string, nextAttemptAt?: number) {
    if (!this.observer?.onMessageSettled) return;
    this.observer.onMessageSettled({
      topic: this.options.topic,
      group: this.options.group,
      consumer: this.options.consumer,
      messageId: delivery.messageId,
      entryId: delivery.entryId,
      attempt: delivery.attempt,
      outcome,
      durationMs: Date.now() - delivery.startedAt,
      publishedAt: delivery.publishedAt,
      nextAttemptAt,
      error,
      headers: delivery.headers,
    });
  }

  private warn(what: string, err: unknown) {
    this.logger.warn?.(`${this.options.topic}/${this.options.group}: ${what}: ${(err as Error)?.message ?? err}`);
  }
}
