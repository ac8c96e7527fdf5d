import type { DecodedEnvelope } from '../codec/envelope.js';

/** One delivery: a stream entry this consumer owns (running, or read ahead and waiting for a slot). */
export interface Delivery {
  entryId: string;
  fields: string[];
  attempt: number;
  messageId: string | undefined;
  publishedAt: number | undefined;
  headers?: Record<string, string>;
  /** When the handler started (or the entry was read, until it starts). */
  startedAt: number;
  /** When this consumer last reset the entry's idle time in the PEL (read, claim or lease extension). */
  leasedAt: number;
  /** Its place in the consumer's owned list, -1 when not in it (see `OwnedDeliveries`). */
  slot?: number;
  /** Tracing: `traceparent` of the failed attempt before this one, read with a claimed retry. */
  previousAttempt?: string;
  /** Tracing: `traceparent` of this attempt's span, kept with its retry if it fails. */
  attemptSpan?: string;
}

/** Runs the handlers of one delivery; resolves on success, rejects with the handler's error. */
export type InvokeHandlers = (envelope: DecodedEnvelope, delivery: Delivery) => Promise<void>;
