import { Logger, type LoggerService } from '@nestjs/common';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import type { ResolvedRetryPolicy } from '../interfaces/retry-options.interface.js';
import type {
  MessageOutcome,
  RedisStreamsObserver,
} from '../observer/redis-streams-observer.interface.js';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import type { Delivery } from './delivery.js';
import { failureFields } from './failure-fields.js';
import { decideFailure, describeError } from './settle-decision.js';

/** Keys of one (topic, group). */
export interface TopicGroupKeys {
  stream: string;
  deadLetter: string;
  deadLetterRefs: string;
  retry: string;
  failures: string;
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
 * batched: all successes of one event-loop turn go out as one XACK. Logs one `warn` line per
 * failed attempt (the stack only at Nest's `debug` level) and one `error` line per dead letter.
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
  ) {}

  /** Changes the retry policy / dead-lettering live: applies from the next failure on. */
  updatePolicy(policy: Partial<Pick<SettlerOptions, 'retry' | 'deadLetter'>>): void {
    this.options = { ...this.options, ...policy };
  }

  /** The handler succeeded: ack (batched). */
  succeeded(delivery: Delivery): void {
    this.ack(delivery);
    this.report(delivery, 'acked');
  }

  /**
   * The handler failed: retry later, dead-letter, or drop. Resolves with the retry's due time once
   * it is scheduled in Redis (`undefined` for any other outcome), so the caller can wake up for it.
   */
  failed(delivery: Delivery, error: unknown): Promise<number | undefined> {
    const decision = decideFailure(error, delivery.attempt, this.options.retry, this.options.deadLetter);
    const now = Date.now();
    const message = describeError(error);
    const where = `${this.options.topic}/${this.options.group}`;
    const what = `message ${delivery.messageId} (entry ${delivery.entryId}) failed attempt ${delivery.attempt}`;
    this.logStack(error);
    if (decision.action === 'retry') {
      const dueAt = now + decision.delayMs;
      this.logger.warn?.(`${where}: ${what}: ${firstLine(message)}; retry in ${decision.delayMs} ms`);
      const scheduled = this.scripts.scheduleRetry(this.keys, delivery.entryId, dueAt, now, delivery.attemptSpan).then(
        () => dueAt,
        err => {
          this.warn(`could not schedule the retry of ${delivery.entryId}; it will be reclaimed after claimIdleMs`, err);
          return undefined;
        },
      );
      this.track(scheduled);
      this.report(delivery, 'retried', message, dueAt);
      return scheduled;
    }
    if (decision.action === 'dead-letter') {
      this.logger.error?.(`${where}: ${what}: ${firstLine(message)}; dead-lettered (${decision.reason})`);
      this.track(this.toDeadLetter(delivery.entryId, delivery.fields, message, delivery.attempt, now, delivery.attemptSpan));
      this.report(delivery, 'dead_lettered', message);
    } else {
      this.logger.warn?.(`${where}: ${what}: ${firstLine(message)}; dropped (${decision.reason}), dead-lettering is off`);
      this.ack(delivery);
      this.report(delivery, 'dropped', message);
    }
    return Promise.resolve(undefined);
  }

  /** An entry that cannot be decoded: straight to the dead-letter stream, no handler call. */
  malformed(entryId: string, fields: string[] | null, reason: string, attempt: number): void {
    const safeFields = Array.isArray(fields) ? ['raw', JSON.stringify(fields)] : ['raw', String(fields)];
    this.logger.error?.(`${this.options.topic}/${this.options.group}: malformed entry ${entryId}: ${reason}; dead-lettered`);
    const now = Date.now();
    this.track(this.toDeadLetter(entryId, safeFields, `Malformed entry: ${reason}`, attempt, now));
    const delivery = { entryId, fields: safeFields, attempt, messageId: undefined, publishedAt: undefined, startedAt: now, leasedAt: now };
    this.report(delivery, 'dead_lettered', reason);
  }

  /** Acks at the end of the turn, with every ack of the turn; a retried entry's failure fields go with it. */
  private ack(delivery: Delivery): void {
    if (delivery.attempt > 1) this.retriedAcks.push(delivery.entryId);
    else this.acks.push(delivery.entryId);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.track(this.flushAcks()));
    }
  }

  /** Resolves once every settle operation started so far is written (or failed). */
  async drain(): Promise<void> {
    if (this.acks.length || this.retriedAcks.length) this.track(this.flushAcks());
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async toDeadLetter(entryId: string, fields: string[], error: string, attempts: number, now: number, span?: string) {
    const { topic, group } = this.options;
    try {
      await this.scripts.deadLetter(this.keys, { topic, group, entryId, error, attempts, now, span }, fields);
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
        .hdel(this.keys.failures, ...failureFields(retried))
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

  /** The handler's stack, only when Nest's debug level is on (one failure = one line otherwise). */
  private logStack(error: unknown): void {
    if (!(error instanceof Error) || !error.stack || !Logger.isLevelEnabled('debug')) return;
    this.logger.debug?.(`${this.options.topic}/${this.options.group}: ${error.stack}`);
  }

  private warn(what: string, err: unknown) {
    this.logger.warn?.(`${this.options.topic}/${this.options.group}: ${what}: ${(err as Error)?.message ?? err}`);
  }
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}
