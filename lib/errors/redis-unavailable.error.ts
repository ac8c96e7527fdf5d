/**
 * Redis could not be reached in time or the connection was lost: for `emit`, the message was not
 * confirmed; for `RedisStreamsAdmin`, the operation did not run.
 */
export class RedisUnavailableError extends Error {
  constructor(
    readonly reason: string,
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
