/**
 * The recorder's SQL (PostgreSQL). Rows travel as one array per column through `unnest`, so a
 * batch of any size is one statement with a fixed number of bind parameters.
 */

/**
 * Turns off the WAL flush wait for the statement's own transaction. Records are best effort (they
 * are dropped while the database is away), so losing the last batch on a database crash is
 * acceptable, and not waiting for a flush per batch cuts the database's share of recording.
 * A CTE must be referenced to run: the row CTEs select from it.
 */
const ASYNC_COMMIT = `async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS off)`;

/**
 * Finds a topic by name, or registers it. A topic created by the admin API (with a tenant) is
 * reused: the stream key has no tenant, so the name alone identifies the stream.
 * $1 name. Returns `id, retention_ms`; no row when a concurrent insert won (the caller retries).
 */
export const ENSURE_TOPIC = `
WITH existing AS (
  SELECT id, retention_ms FROM message_topics WHERE name = $1
  ORDER BY (tenant_id IS NULL) DESC, created_at LIMIT 1
), inserted AS (
  INSERT INTO message_topics (name, display_name)
  SELECT $1, $1 WHERE NOT EXISTS (SELECT 1 FROM existing)
  ON CONFLICT DO NOTHING
  RETURNING id, retention_ms
)
SELECT id, retention_ms FROM existing UNION ALL SELECT id, retention_ms FROM inserted`;

/**
 * Finds the subscription of a consumer group, or registers it with consumer_name = the group.
 * One made earlier by the admin API for that group is reused, whatever its consumer name.
 * $1 topic id, $2 group, $3 offset policy, $4 max poll, $5 session timeout, $6 heartbeat,
 * $7 max attempts, $8 retry delay, $9 dead-letter key. No row when a concurrent insert won.
 */
export const ENSURE_SUBSCRIPTION = `
WITH existing AS (
  SELECT id FROM message_subscriptions
  WHERE topic_id = $1 AND consumer_group = $2
  ORDER BY (consumer_name = $2) DESC, created_at LIMIT 1
), inserted AS (
  INSERT INTO message_subscriptions (topic_id, consumer_group, consumer_name, offset_reset_policy,
    max_poll_records, session_timeout_ms, heartbeat_interval_ms, max_retry_attempts, retry_delay_ms, dead_letter_queue)
  SELECT $1, $2, $2, $3, $4, $5, $6, $7, $8, $9 WHERE NOT EXISTS (SELECT 1 FROM existing)
  ON CONFLICT DO NOTHING
  RETURNING id
)
SELECT id FROM existing UNION ALL SELECT id FROM inserted`;

const CONSUMPTION_ROWS = `${ASYNC_COMMIT},
rows AS (
  SELECT r.* FROM async_commit, unnest(
    $1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::int[],
    $7::text[], $8::int[], $9::float8[], $10::float8[], $11::float8[], $12::varchar[], $13::uuid[]
  ) AS r(subscription_id, message_id, consumer_instance, stream_entry_id, status, processing_time_ms,
         error_message, retry_count, consumed_ms, processed_ms, next_retry_ms, tenant_id, id)
), inserted AS (
  INSERT INTO consumption_records (id, subscription_id, message_id, consumer_instance, stream_entry_id, status,
    processing_time_ms, error_message, retry_count, consumed_at, processed_at, next_retry_at, tenant_id)
  SELECT id, subscription_id, message_id, consumer_instance, stream_entry_id, status, processing_time_ms,
    error_message, retry_count, to_timestamp(consumed_ms / 1000), to_timestamp(processed_ms / 1000),
    to_timestamp(next_retry_ms / 1000), tenant_id
  FROM rows
  ON CONFLICT (id) DO NOTHING
)`;

const TOUCH_SUBSCRIPTIONS = `
UPDATE message_subscriptions s SET last_consumed_at = GREATEST(s.last_consumed_at, l.at)
FROM (SELECT subscription_id, to_timestamp(max(processed_ms) / 1000) AS at FROM rows GROUP BY subscription_id) l
WHERE s.id = l.subscription_id`;

/**
 * Inserts a batch of consumption records and moves `last_consumed_at` of their subscriptions,
 * in one statement. $1…$13: the columns of `consumptionColumns`. A retry of a batch keeps its row
 * ids: when the attempt before committed with its answer lost, its rows are skipped by id
 * (`ON CONFLICT (id)`), and moving `last_consumed_at` again changes nothing.
 */
export const INSERT_CONSUMPTION = `WITH ${CONSUMPTION_ROWS}
${TOUCH_SUBSCRIPTIONS}`;

/**
 * `INSERT_CONSUMPTION`, plus the message records of the batch's messages: the latest final
 * outcome becomes their status; a retry only raises retry_count.
 */
export const INSERT_CONSUMPTION_AND_SETTLE_MESSAGES = `WITH ${CONSUMPTION_ROWS}, settled AS (
  UPDATE message_records m SET
    status = CASE f.status WHEN 'success' THEN 'consumed' WHEN 'dead_letter' THEN 'dead_letter'
                           WHEN 'failed' THEN 'failed' ELSE m.status END,
    consumed_at = CASE WHEN f.status = 'success' THEN to_timestamp(f.processed_ms / 1000) ELSE m.consumed_at END,
    retry_count = GREATEST(m.retry_count, f.retry_count)
  FROM (
    SELECT DISTINCT ON (message_id) message_id, status, retry_count, processed_ms
    FROM rows WHERE message_id IS NOT NULL ORDER BY message_id, processed_ms DESC
  ) f
  WHERE m.message_id = f.message_id
)
${TOUCH_SUBSCRIPTIONS}`;

/** Inserts a batch of message records; a message id already recorded is skipped. $1…$14: `messageColumns`. */
export const INSERT_MESSAGES = `
WITH ${ASYNC_COMMIT}
INSERT INTO message_records (id, topic_id, message_id, message_key, correlation_id, headers, payload_size,
  stream_entry_id, published_at, scheduled_at, expires_at, producer_id, tenant_id, trace_id)
SELECT id, topic_id, message_id, message_key, correlation_id, headers, payload_size, stream_entry_id,
  to_timestamp(published_ms / 1000), to_timestamp(scheduled_ms / 1000), to_timestamp(expires_ms / 1000),
  producer_id, tenant_id, trace_id
FROM async_commit, unnest(
  $1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::jsonb[], $6::int[], $7::varchar[],
  $8::float8[], $9::float8[], $10::float8[], $11::varchar[], $12::varchar[], $13::varchar[], $14::uuid[]
) AS r(topic_id, message_id, message_key, correlation_id, headers, payload_size, stream_entry_id,
       published_ms, scheduled_ms, expires_ms, producer_id, tenant_id, trace_id, id)
ON CONFLICT (message_id) DO NOTHING`;

/**
 * Consumption records in the column order of `consumptionColumns` (and of `consumptionCopyText`),
 * as text: COPY skips the per-row expression evaluation of `INSERT … SELECT FROM unnest(…)`.
 */
export const COPY_CONSUMPTION = `COPY consumption_records (subscription_id, message_id, consumer_instance,
  stream_entry_id, status, processing_time_ms, error_message, retry_count, consumed_at, processed_at,
  next_retry_at, tenant_id, id) FROM STDIN`;

/**
 * A batch written with COPY, as one simple-protocol query: its own transaction with the same async
 * commit as the other statements (`SET LOCAL`: the pooled connection keeps its setting), the COPY,
 * then `last_consumed_at` moved as `TOUCH_SUBSCRIPTIONS` moves it. One query, so one round trip
 * besides COPY's own handshake: a consumer busy handling messages answers each round trip late,
 * and separate statements (four round trips) made the recorder fall behind. The simple protocol
 * has no bind parameters: `touched` is `VALUES` rows `('<subscription uuid>'::uuid,
 * '<latest processed epoch ms>'::float8)`, made from validated values only (`touchedValues`).
 */
export function copyConsumptionBatch(touched: string): string {
  return `BEGIN; SET LOCAL synchronous_commit = off;
${COPY_CONSUMPTION};
UPDATE message_subscriptions s SET last_consumed_at = GREATEST(s.last_consumed_at, to_timestamp(l.processed_ms / 1000))
FROM (VALUES ${touched}) AS l(subscription_id, processed_ms)
WHERE s.id = l.subscription_id;
COMMIT`;
}

/** Which of the row ids $1 (uuid[]) are in `consumption_records` (a retried COPY batch; see `writeConsumptionByCopy`). */
export const WRITTEN_CONSUMPTION_IDS = `SELECT id::text AS id FROM consumption_records WHERE id = ANY($1::uuid[])`;
