/**
 * Redis could not be reached, and the operation certainly did not run: for `emit`, the message
 * was not written (the client was not connected when the write would have been sent), so
 * retrying it cannot make a duplicate. When a write was sent but its outcome is unknown, `emit`
 * rejects with `PublishOutcomeUnknownError` instead. For `RedisStreamsAdmin`, the operation did
 * not run.
 * @publicApi
 */
export class RedisUnavailableError extends Error {
  constructor(
    /** Why Redis was unavailable (e.g. `not ready after 10000 ms`). */
    readonly reason: string,
    /** The topic of the message that was not published, for `emit`. */
    readonly topic?: string,
  ) {
    super(
      topic === undefined
        ? `Redis is unavailable (${reason})`
        : `Redis is unavailable (${reason}): the message to topic "${topic}" was not published`,
    );
    this.name = 'RedisUnavailableError';
  }
}
