/**
 * A streamed response of `send()` was cut: the handler's attempt that was answering stopped (its
 * consumer crashed or stalled) after the caller had received some values, and another consumer
 * took the request over and started the response again. The values received so far are an
 * incomplete response; the new attempt's values are not mixed into it. Retry the request.
 * @publicApi
 */
export class ReplyInterruptedError extends Error {
  constructor(
    /** The request's topic. */
    readonly topic: string,
    /** The attempt whose values the caller received. */
    readonly attempt: number,
    /** The attempt that took over. */
    readonly nextAttempt: number,
    /** How many values the caller received from `attempt`. */
    readonly received: number,
  ) {
    super(
      `The response to the request on topic "${topic}" was interrupted: attempt ${attempt} stopped after ` +
        `${received} value(s) and attempt ${nextAttempt} took the request over; the values received are incomplete`,
    );
    this.name = 'ReplyInterruptedError';
  }
}
