/** `emit` could not reach Redis in time, or lost the connection: the message was not confirmed. */
export class RedisUnavailableError extends Error {
  constructor(
    readonly reason: string,
    readonly topic?: string,
  ) {
    super(
      `Redis is unavailable (${reason}): the message${topic ? ` to topic "${topic}"` : ''} was not published`,
    );
    this.name = 'RedisUnavailableError';
  }
}
