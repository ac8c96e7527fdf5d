/**
 * The outbox's SQL (PostgreSQL), on table `message_outbox` (created by the OutboxInbox migration).
 */
import { OUTBOX_CHANNEL, OUTBOX_RELAY_LOCK_SPACE, OUTBOX_WRITER_LOCK_SPACE } from '../persistence.constants.js';

/**
 * One outbox row. $1 message id, $2 topic, $3 key (or null), $4 payload (JSON text),
 * $5 headers (JSON text or null), $6 deliver-at (epoch ms or null).
 */
const INSERT_ROW = `INSERT INTO message_outbox (message_id, topic, message_key, payload, headers, deliver_at)
  SELECT $1::uuid, $2::varchar, $3::varchar, $4::text, $5::jsonb, to_timestamp($6::float8 / 1000)`;

/**
 * Writers of one key first take a transaction-scoped advisory lock on it, so they commit one after
 * the other in the order of their ids: without it a transaction holding id 7 could commit after one
 * holding id 8, and a relay would publish 8 first. Keyless rows promise no order and skip it.
 */
const LOCK_KEY = `locked AS (SELECT pg_advisory_xact_lock(${OUTBOX_WRITER_LOCK_SPACE}, hashtext($3::varchar)) WHERE $3::varchar IS NOT NULL)`;

/**
 * Inserts one outbox row (taking the key's writer lock when it has a key). NOTIFY-free variant,
 * for deployments that rely on polling.
 */
export const INSERT_OUTBOX = `WITH ${LOCK_KEY}
${INSERT_ROW} WHERE $3::varchar IS NULL OR EXISTS (SELECT 1 FROM locked)`;

/**
 * `INSERT_OUTBOX`, plus a NOTIFY that PostgreSQL delivers to the listening relays when (and only
 * if) the transaction commits; notifications of one transaction collapse into one.
 */
export const INSERT_OUTBOX_NOTIFY = `WITH ${LOCK_KEY},
inserted AS (${INSERT_ROW} WHERE $3::varchar IS NULL OR EXISTS (SELECT 1 FROM locked) RETURNING id)
SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM inserted`;

/**
 * Planner settings of the relay's transaction, before `CLAIM_OUTBOX`. Sent rows leave entries in
 * the pending index until VACUUM; a plain index scan marks them dead on its first visit and skips
 * them afterwards, while a bitmap scan (which the planner picks once statistics lag) visits each of
 * them in the heap on every pass — measured 20× slower with 20,000 sent rows.
 */
export const CLAIM_PLAN = `SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off`;

/**
 * Claims up to $1 pending rows, oldest first, for the current transaction. A keyed row is taken
 * only if this relay gets the key's advisory lock (held to the end of the transaction), so every
 * pending row of a key goes to one relay at a time, in id order; `SKIP LOCKED` lets other relays
 * take other keys meanwhile. A lock taken for a row cut by the LIMIT only holds that key back for
 * this transaction.
 */
export const CLAIM_OUTBOX = `
SELECT id, message_id, topic, message_key, payload, headers,
  (extract(epoch FROM deliver_at) * 1000)::float8 AS deliver_ms
FROM message_outbox
WHERE sent_at IS NULL
  AND (message_key IS NULL OR pg_try_advisory_xact_lock(${OUTBOX_RELAY_LOCK_SPACE}, hashtext(message_key)))
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED`;

/**
 * Of the keys a pass claimed ($1) with the first id it claimed of each ($2), those with an older row
 * still pending. Run after `CLAIM_OUTBOX`, with a fresh snapshot: the claim takes a key's lock at
 * the first of its rows the scan reaches, so a key whose lock was freed by another relay while the
 * scan ran can be claimed from a later row on, its earlier rows skipped. Such keys are left for the
 * next pass (the advisory lock is per transaction; the skipped rows are then the oldest).
 */
export const OUTBOX_KEYS_BEHIND = `
SELECT c.k AS message_key
FROM unnest($1::varchar[], $2::bigint[]) AS c(k, first_id)
WHERE EXISTS (
  SELECT 1 FROM message_outbox m
  WHERE m.sent_at IS NULL AND m.id < c.first_id AND m.message_key = c.k
)`;

/** Marks rows published. $1 ids. */
export const MARK_OUTBOX_SENT = `UPDATE message_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`;

/** Deletes published rows at once (retention 0: nothing kept for inspection, no pruning needed). $1 ids. */
export const DELETE_OUTBOX_SENT = `DELETE FROM message_outbox WHERE id = ANY($1::bigint[])`;

/** Counts a failed attempt on rows. $1 ids, $2 error message. */
export const MARK_OUTBOX_FAILED = `UPDATE message_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`;

/** Pending rows and the age of the oldest (ms). */
export const OUTBOX_STATS = `
SELECT count(*)::int AS pending,
  COALESCE((extract(epoch FROM (now() - min(created_at))) * 1000)::float8, 0) AS oldest_ms
FROM message_outbox WHERE sent_at IS NULL`;

/** Deletes up to $2 rows sent more than $1 ms ago; returns the count. */
export const PRUNE_OUTBOX = `
WITH doomed AS (
  SELECT id FROM message_outbox
  WHERE sent_at IS NOT NULL AND sent_at < now() - $1::float8 * interval '1 millisecond'
  ORDER BY sent_at LIMIT $2
), deleted AS (DELETE FROM message_outbox o USING doomed WHERE o.id = doomed.id RETURNING 1)
SELECT count(*)::int AS count FROM deleted`;
