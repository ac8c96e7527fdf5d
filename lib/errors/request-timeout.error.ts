/** `send()` got no (final) reply within `requestTimeoutMs`. */
export class RequestTimeoutError extends Error {
  constructor(
    readonly topic: string,
    readonly timeoutMs: number,
  ) {
    super(`No reply to the request on topic "${topic}" within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}
