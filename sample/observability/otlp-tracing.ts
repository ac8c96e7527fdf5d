import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What `startOtlpTracing` read from the standard `OTEL_*` variables. */
export interface OtlpTracingConfig {
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
  url: string;
  /** `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, values URL-encoded), e.g. an API key. */
  headers: Record<string, string>;
  /** `OTEL_SERVICE_NAME` plus `OTEL_RESOURCE_ATTRIBUTES` (`k=v,…`). */
  resource: Record<string, string>;
  /** `OTEL_EXPORTER_OTLP_TIMEOUT` (ms). */
  timeoutMs: number;
}

/**
 * Tracing is on when an OTLP endpoint is set and neither `OTEL_SDK_DISABLED=true` nor
 * `OTEL_TRACES_EXPORTER=none` says otherwise. Only the `http/json` protocol is spoken.
 */
export function otlpTracingConfig(env: NodeJS.ProcessEnv): OtlpTracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (base ? `${base}/v1/traces` : undefined);
  if (!url) return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== 'http/json') throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: the sample exports http/json only`);
  const resource = { ...pairs(env.OTEL_RESOURCE_ATTRIBUTES), 'service.name': env.OTEL_SERVICE_NAME || 'mq-sample' };
  return { url, headers: pairs(env.OTEL_EXPORTER_OTLP_HEADERS), resource, timeoutMs: Number(env.OTEL_EXPORTER_OTLP_TIMEOUT) || 10_000 };
}

/**
 * Registers a global tracer provider exporting to OTLP/HTTP (JSON) in batches with OpenTelemetry's
 * own exporter, with async context propagation, so that `otelTracing()` of the transport records
 * spans. Returns the provider (`shutdown()` flushes), or `undefined` when tracing is not configured.
 */
export function startOtlpTracing(env: NodeJS.ProcessEnv = process.env): BasicTracerProvider | undefined {
  const config = otlpTracingConfig(env);
  if (!config) return undefined;
  const exporter = new OTLPTraceExporter({ url: config.url, headers: config.headers, timeoutMillis: config.timeoutMs });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(config.resource),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return provider;
}

function pairs(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
