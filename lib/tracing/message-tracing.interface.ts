/** A message being published, as tracing sees it. */
export interface SentMessage {
  topic: string;
  messageId: string;
  /** The entry's headers: tracing adds its propagation headers (`traceparent`, `tracestate`). */
  headers: Record<string, string>;
}

/** One delivery of a message to a consumer group, as tracing sees it. */
export interface ProcessedMessage {
  topic: string;
  group: string;
  consumer: string;
  messageId: string;
  entryId: string;
  /** 1 for the first delivery; retries, takeovers and replays count up. */
  attempt: number;
  headers: Readonly<Record<string, string>>;
  /**
   * The W3C `traceparent` of the failed attempt before this one, kept in Redis with its retry, so a
   * retry links to it whichever process ran it (absent when that attempt was not traced).
   */
  previousAttempt?: string;
  /**
   * Set by the tracing when it starts this attempt's span, before `process()` returns: its
   * `traceparent`, kept with a retry of this delivery.
   */
  traceparent?: string;
}

/**
 * Tracing hooks of client and server: `otelTracing()` from the `/otel` subpath implements them
 * over `@opentelemetry/api`; the root never imports it.
 */
export interface MessageTracing {
  /**
   * Starts the producer span of one message and writes the propagation headers; returns the
   * function ending it once Redis confirmed the write (or with the error).
   */
  startSend(message: SentMessage): (error?: unknown) => void;
  /** Runs one delivery (`run`) inside its consumer span; resolves or rejects as `run` does. */
  process<T>(message: ProcessedMessage, run: () => Promise<T>): Promise<T>;
}
