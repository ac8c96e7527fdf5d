import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';
import { queueNameOf } from '../common/tenancy/topic-names.js';
import { PRODUCER_HEADER } from '../publish/message-headers.js';
import type { ConsumptionView, MessageView } from './message.view.js';

/** A `message_records` row joined with its queue. */
interface MessageRow {
  message_id: string;
  topic: string;
  message_key: string | null;
  headers: Record<string, string>;
  stream_entry_id: string | null;
  payload_size: number;
  status: string;
  published_at: Date;
  scheduled_at: Date | null;
  producer_id: string | null;
}

/** A `consumption_records` row with its group. */
interface ConsumptionRow {
  consumer_group: string;
  subscription_id: string | null;
  status: string;
  retry_count: number;
  processing_time_ms: number;
  error_message: string | null;
  consumed_at: Date;
  processed_at: Date | null;
  next_retry_at: Date | null;
}

/**
 * Looks a message up by id in what the transport's recorder wrote: its `message_records` row
 * (written at publish, as the sample records messages) and its `consumption_records` rows, oldest
 * first. The record holds no payload: it is read from the stream while the queue retains the
 * entry (`null` after). Tenant-scoped through the queue: another tenant's message is "not found", exactly like a
 * message that never existed, so ids cannot be probed across tenants.
 */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly redis: SampleRedis,
  ) {}

  async get(principal: Principal, messageId: string): Promise<MessageView> {
    const [row] = (await this.db.query(
      `SELECT m.message_id, t.name AS topic, m.message_key, m.headers, m.stream_entry_id, m.payload_size, m.status,
              m.published_at, m.scheduled_at, m.producer_id
         FROM message_records m JOIN message_topics t ON t.id = m.topic_id
        WHERE m.message_id = $1 AND t.tenant_id = $2`,
      [messageId, principal.tenantId],
    )) as MessageRow[];
    if (!row) {
      throw new MqException(HttpStatus.NOT_FOUND, MqErrorCode.MESSAGE_NOT_FOUND, `Message "${messageId}" not found (or no longer kept)`);
    }
    const consumptions = (await this.db.query(
      `SELECT s.consumer_group, CASE WHEN s.tenant_id = $2 THEN s.id END AS subscription_id, c.status, c.retry_count,
              c.processing_time_ms, c.error_message, c.consumed_at, c.processed_at, c.next_retry_at
         FROM consumption_records c JOIN message_subscriptions s ON s.id = c.subscription_id
        WHERE c.message_id = $1
        ORDER BY c.consumed_at, c.retry_count`,
      [messageId, principal.tenantId],
    )) as ConsumptionRow[];
    return {
      messageId: row.message_id,
      queue: queueNameOf(row.topic),
      key: row.message_key,
      headers: row.headers,
      payload: row.stream_entry_id ? ((await this.redis.entryData(row.topic, row.stream_entry_id)) ?? null) : null,
      payloadSize: row.payload_size,
      status: row.status,
      publishedAt: row.published_at,
      scheduledAt: row.scheduled_at,
      // The token's `sub` stamped at publish; the record's own column names the publishing process.
      producerId: row.headers?.[PRODUCER_HEADER] ?? row.producer_id,
      consumptions: consumptions.map(toConsumptionView),
    };
  }
}

function toConsumptionView(c: ConsumptionRow): ConsumptionView {
  return {
    group: c.consumer_group,
    subscriptionId: c.subscription_id,
    status: c.status,
    attempt: c.retry_count + 1,
    processingTimeMs: c.processing_time_ms,
    error: c.error_message,
    consumedAt: c.consumed_at,
    processedAt: c.processed_at,
    nextRetryAt: c.next_retry_at,
  };
}
