/**
 * The inbox's SQL (PostgreSQL), on table `message_inbox` (created by the OutboxInbox migration).
 */

/**
 * Records that a group processes a message; no row comes back when it already did. Run first in the
 * effect's transaction: a concurrent delivery of the same message waits on the uncommitted row, then
 * sees the conflict once the first commits (or inserts, if the first rolled back).
 * $1 group, $2 message id, $3 topic.
 */
export const INSERT_INBOX = `
INSERT INTO message_inbox (consumer_group, message_id, topic) VALUES ($1, $2, $3)
ON CONFLICT (consumer_group, message_id) DO NOTHING
RETURNING 1 AS inserted`;

/** Whether a group processed a message. $1 group, $2 message id. */
export const SELECT_INBOX = `SELECT 1 FROM message_inbox WHERE consumer_group = $1 AND message_id = $2`;

/** Deletes up to $2 rows processed more than $1 ms ago; returns the count. */
export const PRUNE_INBOX = `
WITH doomed AS (
  SELECT consumer_group, message_id FROM message_inbox
  WHERE processed_at < now() - $1::float8 * interval '1 millisecond'
  ORDER BY processed_at LIMIT $2
), deleted AS (
  DELETE FROM message_inbox i USING doomed
  WHERE i.consumer_group = doomed.consumer_group AND i.message_id = doomed.message_id
  RETURNING 1
)
SELECT count(*)::int AS count FROM deleted`;
