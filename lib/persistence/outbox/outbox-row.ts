import { RedisStreamsRecord, RedisStreamsRecordBuilder } from '../../record-builders/redis-streams.record-builder.js';

/** A pending outbox row as the relay claims it. */
export interface OutboxRow {
  id: string;
  message_id: string;
  topic: string;
  message_key: string | null;
  payload: string;
  headers: Record<string, string> | null;
  deliver_ms: number | null;
}

/**
 * The bind parameters of one outbox insert (see `INSERT_OUTBOX`) for `data`, which may be a
 * `RedisStreamsRecord`: its headers, key and delivery time are kept; its deduplication id is not,
 * because the row's message id serves as one.
 */
export function outboxParameters(messageId: string, topic: string, data: unknown): unknown[] {
  const record = data instanceof RedisStreamsRecord ? data : undefined;
  const payload = JSON.stringify((record ? record.data : data) ?? null);
  const options = record?.options;
  const headers = options?.headers && Object.keys(options.headers).length ? JSON.stringify(options.headers) : null;
  return [messageId, topic, options?.key ?? null, payload, headers, options?.deliverAt ?? null];
}

/**
 * The record the relay publishes for a row: same payload, headers, key and delivery time, the
 * row's message id as message id, and as deduplication id — a row published again after a crash
 * between the XADD and the commit of `sent_at` then publishes nothing within the dedup window,
 * and a consumer's inbox recognises the message id after it.
 */
export function recordOf(row: OutboxRow): RedisStreamsRecord {
  const builder = new RedisStreamsRecordBuilder(JSON.parse(row.payload))
    .setMessageId(row.message_id)
    .setDeduplicationId(`outbox:${row.message_id}`);
  if (row.headers) builder.setHeaders(row.headers);
  if (row.message_key !== null) builder.setKey(row.message_key);
  if (row.deliver_ms !== null) builder.setDeliverAt(row.deliver_ms);
  return builder.build();
}
