import { Logger, type LoggerService } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  DEFAULT_INBOX_RETENTION_MS,
  DEFAULT_PRUNE_INTERVAL_MS,
  PRUNE_BATCH_SIZE,
  RECORDER_WARN_EVERY_MS,
} from '../persistence.constants.js';
import { INSERT_INBOX, PRUNE_INBOX, SELECT_INBOX } from './inbox.sql.js';
import type { RedisStreamsInboxOptions } from './interfaces/redis-streams-inbox-options.interface.js';

/** The message an inbox run is for: a `RedisStreamsContext` fits. */
export interface InboxMessage {
  getGroup(): string;
  getMessageId(): string;
  getTopic(): string;
}

/** What `inbox.run()` did: ran the effect (and committed it), or found the message already processed. */
export type InboxOutcome<T> = { duplicate: false; result: T } | { duplicate: true };

/**
 * The idempotent inbox: `run(ctx, manager => effect)` runs the effect in a transaction that first
 * records `(group, message id)`. The effect and that row commit together; a redelivered message
 * (after a crash between commit and ack, or a takeover) finds the row and the effect is skipped, so
 * the handler returns and the message is acked. A failing effect rolls back with its row and is
 * retried as usual.
 *
 * ```ts
 * @EventPattern('order.created')
 * async onOrder(@Payload() order: Order, @Ctx() ctx: RedisStreamsContext) {
 *   await this.inbox.run(ctx, manager => manager.insert(Invoice, invoiceFor(order)));
 * }
 * ```
 * @publicApi
 */
export class RedisStreamsInbox {
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  private pruneTimer: NodeJS.Timeout | undefined;
  private lastWarnAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    options: RedisStreamsInboxOptions = {},
    private readonly logger: LoggerService = new Logger(RedisStreamsInbox.name),
  ) {
    this.retentionMs = options.retentionMs ?? DEFAULT_INBOX_RETENTION_MS;
    this.pruneIntervalMs = options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS;
  }

  /**
   * Runs `effect` once per (group, message id): in a transaction that inserts the inbox row first.
   * Resolves with `{ duplicate: true }` without calling `effect` when the row already exists.
   */
  async run<T>(message: InboxMessage, effect: (manager: EntityManager) => Promise<T> | T): Promise<InboxOutcome<T>> {
    return this.dataSource.transaction(async manager => {
      const inserted: unknown[] = await manager.query(INSERT_INBOX, [
        message.getGroup(),
        message.getMessageId(),
        message.getTopic(),
      ]);
      if (!inserted.length) return { duplicate: true } as const;
      return { duplicate: false, result: await effect(manager) } as const;
    });
  }

  /** Whether `group` already processed `messageId` (committed). */
  async has(group: string, messageId: string): Promise<boolean> {
    return (await this.dataSource.query(SELECT_INBOX, [group, messageId])).length > 0;
  }

  /** Starts pruning rows past their retention (idempotent). */
  start(): void {
    if (this.pruneTimer || this.pruneIntervalMs <= 0) return;
    this.pruneTimer = setInterval(() => void this.prune().catch(err => this.warn(err)), this.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  /** Stops pruning. */
  close(): void {
    clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
  }

  /** Deletes rows past their retention, in short transactions; resolves with how many. */
  async prune(): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ count }] = await this.dataSource.query(PRUNE_INBOX, [this.retentionMs, PRUNE_BATCH_SIZE]);
      total += count;
      if (count < PRUNE_BATCH_SIZE) return total;
    }
  }

  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < RECORDER_WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(`Inbox pruning failed (retrying later): ${(err as Error)?.message ?? err}`);
  }
}
