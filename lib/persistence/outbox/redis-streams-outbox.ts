import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { OutboxTransactionRequiredError } from '../../errors/outbox-transaction-required.error.js';
import type { RedisStreamsRecord } from '../../record-builders/redis-streams.record-builder.js';
import type { OutboxPublisher, RedisStreamsOutboxOptions } from './interfaces/redis-streams-outbox-options.interface.js';
import { OutboxRelay, type OutboxStats, type RelayPass } from './outbox-relay.js';
import { outboxParameters } from './outbox-row.js';
import { INSERT_OUTBOX, INSERT_OUTBOX_NOTIFY } from './outbox.sql.js';
import { DEFAULT_OUTBOX_NOTIFY_INTERVAL_MS } from '../persistence.constants.js';

/** The transaction an outbox row is written in: its `EntityManager` or its `QueryRunner`. */
export type OutboxTransaction = EntityManager | QueryRunner;

/**
 * The transactional outbox. `emit(manager, topic, data)` writes the message in the caller's
 * transaction, so it is published if and only if that transaction commits; the relay (one in every
 * replica, sharing the work) publishes committed rows in order per key, each exactly once in the
 * stream.
 *
 * ```ts
 * await dataSource.transaction(async manager => {
 *   await manager.insert(Order, order);
 *   await outbox.emit(manager, 'order.created', new RedisStreamsRecordBuilder(order).setKey(order.customerId).build());
 * });
 * ```
 * @publicApi
 */
export class RedisStreamsOutbox {
  private readonly relay: OutboxRelay;
  private readonly notify: boolean;
  private readonly notifyIntervalMs: number;
  private lastNotifyAt = 0;

  constructor(
    dataSource: DataSource,
    publisher: OutboxPublisher,
    private readonly options: RedisStreamsOutboxOptions = {},
    logger: LoggerService = new Logger(RedisStreamsOutbox.name),
  ) {
    this.relay = new OutboxRelay(dataSource, publisher, options, logger);
    this.notify = options.notify !== false;
    this.notifyIntervalMs = options.notifyIntervalMs ?? DEFAULT_OUTBOX_NOTIFY_INTERVAL_MS;
  }

  /**
   * Writes a message to the outbox within `transaction` and resolves with its message id (the id the
   * consumer sees in `ctx.getMessageId()`). `data` may be a `RedisStreamsRecord` with headers, key
   * and delivery time; messages of one key are published in the order their transactions committed
   * (writers of one key wait for each other until commit, so emit keys in a consistent order when a
   * transaction writes several).
   * @throws OutboxTransactionRequiredError when `transaction` is not in an active transaction.
   */
  async emit<TInput = unknown>(transaction: OutboxTransaction, topic: string, data: TInput | RedisStreamsRecord<TInput>): Promise<string> {
    const runner = 'isTransactionActive' in transaction ? transaction : transaction.queryRunner;
    if (!runner?.isTransactionActive) throw new OutboxTransactionRequiredError(topic);
    if (typeof topic !== 'string' || topic.length === 0) throw new TypeError('outbox.emit() needs a topic');
    const messageId = randomUUID();
    // Every notifying commit takes a database-wide lock and interrupts the listeners: under load
    // one notification per interval wakes the relays as well as one per row would.
    const now = Date.now();
    const notify = this.notify && now - this.lastNotifyAt >= this.notifyIntervalMs;
    if (notify) this.lastNotifyAt = now;
    await runner.query(notify ? INSERT_OUTBOX_NOTIFY : INSERT_OUTBOX, outboxParameters(messageId, topic, data));
    return messageId;
  }

  /** Starts this process's relay (unless `relay: false`), and its pruning. */
  start(): void {
    if (this.options.relay !== false) this.relay.start();
  }

  /** Stops the relay after its pass in progress. */
  close(): Promise<void> {
    return this.relay.close();
  }

  /** Runs one relay pass now (also without `start()`); e.g. for tests or a cron-style relay. */
  relayOnce(): Promise<RelayPass> {
    return this.relay.relayOnce();
  }

  /** Deletes sent rows past their retention now; resolves with how many. */
  prune(): Promise<number> {
    return this.relay.prune();
  }

  /** Pending rows, the oldest one's age, and this process's counters. */
  getStats(): Promise<OutboxStats> {
    return this.relay.getStats();
  }
}
