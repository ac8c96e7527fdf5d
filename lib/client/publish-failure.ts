import { PublishOutcomeUnknownError } from '../errors/publish-outcome-unknown.error.js';
import { RedisUnavailableError } from '../errors/redis-unavailable.error.js';

/**
 * What ioredis says when it refuses a command without writing it (not connected, and the client
 * keeps no offline queue): standalone "Stream isn't writeable and enableOfflineQueue options is
 * false", cluster "Cluster isn't ready and enableOfflineQueue options is false".
 */
const NOT_SENT = /enableOfflineQueue options is false/;

/**
 * Turns a failed publish command into the error `emit` rejects with, without ever claiming more
 * than is known:
 * - Redis answered (a `ReplyError`, or our own `TopicFullError`): that answer, as it is;
 * - the command was refused before it was written: `RedisUnavailableError` (not published);
 * - anything else happened after the write left (command timeout, connection lost, aborted):
 *   `PublishOutcomeUnknownError` — Redis may have applied it.
 */
export function toPublishError(err: unknown, topic: string, messageId: string): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  if (error.name === 'ReplyError' || error.name === 'TopicFullError') return error;
  if (error instanceof RedisUnavailableError) return error.topic === undefined ? new RedisUnavailableError(error.reason, topic) : error;
  if (error instanceof PublishOutcomeUnknownError) return error;
  if (NOT_SENT.test(error.message)) return new RedisUnavailableError(error.message, topic);
  return new PublishOutcomeUnknownError(messageId, topic, error.message);
}
