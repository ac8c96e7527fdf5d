// The `/otel` subpath: OpenTelemetry tracing. Needs the optional peer `@opentelemetry/api`.
export { otelTracing, type OtelTracingOptions, type ProcessOutcome } from './otel-tracing.js';
export { extractTraceHeaders, injectTraceHeaders, TRACEPARENT, TRACESTATE } from './trace-headers.js';
