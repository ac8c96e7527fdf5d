import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RedisStreamsAdmin } from '../../lib/index.js';
import { MessageSubscriptionEntity } from '../../lib/typeorm/index.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { queueNameOf } from '../common/tenancy/topic-names.js';
import { QueuesService } from '../queues/queues.service.js';

/** One dead letter as the API shows it. */
export interface DeadLetterView {
  /** Id of the dead-letter entry: what `POST /dead-letters/retry` takes in `ids`. */
  entryId: string;
  messageId: string | null;
  queue: string;
  /** The consumer group that failed it, and its subscription when it has one. */
  group: string;
  subscriptionId: string | null;
  /** The failure's error name and message. */
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  data: unknown;
  headers: Record<string, string>;
}

/**
 * Dead letters of a queue of the caller's tenant, through `RedisStreamsAdmin`: list (paged),
 * replay — each goes back to the group that failed it, and only to it, as a fresh attempt 1 —
 * and purge.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueuesService,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, name: string, count = 50, after?: string): Promise<{ queue: string; deadLetters: DeadLetterView[]; next: string | null }> {
    const { row } = await this.queues.find(principal.tenantId, name);
    const letters = await this.admin.listDeadLetters(row.name, { count, start: after ? `(${after}` : '-' });
    // The tenant's own rows only: the transport's recorder keeps tenant-less rows of the same groups.
    const groups = new Map(
      (await this.db.getRepository(MessageSubscriptionEntity).findBy({ topicId: row.id, tenantId: principal.tenantId })).map(s => [
        s.consumerGroup,
        s.id,
      ]),
    );
    return {
      queue: name,
      deadLetters: letters.map(d => ({
        entryId: d.entryId,
        messageId: d.messageId ?? null,
        queue: queueNameOf(d.topic),
        group: d.group,
        subscriptionId: groups.get(d.group) ?? null,
        // The first line (name and message): the stack names the service's files, not the tenant's business.
        error: d.error.split('\n')[0],
        attempts: d.attempts,
        firstFailedAt: d.firstFailedAt,
        lastFailedAt: d.lastFailedAt,
        data: d.data,
        headers: d.headers,
      })),
      next: letters.length === count ? letters[letters.length - 1].entryId : null,
    };
  }

  async retry(principal: Principal, name: string, ids?: string[], group?: string): Promise<{ replayed: number }> {
    const { row } = await this.queues.find(principal.tenantId, name);
    const replayed = await this.admin.replayDeadLetters(row.name, { ids, group });
    await this.audit.record(principal, {
      action: 'dead_letters.retry',
      resourceType: 'dead_letters',
      resourceId: name,
      details: { ids: ids ?? 'all', group, replayed },
    });
    return { replayed };
  }

  async purge(principal: Principal, name: string): Promise<{ purged: number }> {
    const { row } = await this.queues.find(principal.tenantId, name);
    const purged = await this.admin.purgeDeadLetters(row.name);
    await this.audit.record(principal, { action: 'dead_letters.purge', resourceType: 'dead_letters', resourceId: name, details: { purged } });
    return { purged };
  }
}
