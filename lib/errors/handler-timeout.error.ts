/**
 * A handler ran longer than its `handlerTimeoutMs`: the attempt counts as failed (retried or
 * dead-lettered per the retry policy) and the message's lease is no longer extended.
 */
export class HandlerTimeoutError extends Error {
  constructor(
    readonly topic: string,
    readonly messageId: string,
    readonly timeoutMs: number,
  ) {
    super(`Handler for topic "${topic}" (message ${messageId}) did not finish within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}
