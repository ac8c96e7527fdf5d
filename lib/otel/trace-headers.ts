import { createTraceState, isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/** W3C Trace Context header names, carried in the entry's headers (Nest packet metadata). */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Writes `traceparent` (and `tracestate`) for `spanContext`. Done here rather than through the
 * global propagator so the headers are W3C whatever the application registered (or did not).
 */
export function injectTraceHeaders(spanContext: SpanContext, headers: Record<string, string>): void {
  headers[TRACEPARENT] = formatTraceparent(spanContext);
  const state = spanContext.traceState?.serialize();
  if (state) headers[TRACESTATE] = state;
  else delete headers[TRACESTATE];
}

/** The W3C `traceparent` of a span context (version 00). */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The remote span context in `traceparent` / `tracestate`, or `undefined` when absent or invalid. */
export function extractTraceHeaders(headers: Readonly<Record<string, string>>): SpanContext | undefined {
  return parseTraceparent(headers[TRACEPARENT], headers[TRACESTATE]);
}

/** The remote span context a `traceparent` (and `tracestate`) describe, or `undefined` when absent or invalid. */
export function parseTraceparent(traceparent: string | undefined, tracestate?: string): SpanContext | undefined {
  if (!traceparent) return undefined;
  const match = TRACEPARENT_RE.exec(traceparent.trim().toLowerCase());
  if (!match) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
    ...(tracestate ? { traceState: createTraceState(tracestate) } : {}),
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}
