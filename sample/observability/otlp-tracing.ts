import { context, trace, type Attributes, type AttributeValue, type HrTime } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/** `{ code: 0 }` = success, `{ code: 1, error }` = failed (the SDK's ExportResult). */
type ExportResult = { code: 0 } | { code: 1; error: Error };

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
 * Registers a global tracer provider exporting to OTLP/HTTP (JSON) in batches, with async context
 * propagation, so that `otelTracing()` of the transport records spans. Returns the provider
 * (`shutdown()` flushes), or `undefined` when tracing is not configured.
 */
export function startOtlpTracing(env: NodeJS.ProcessEnv = process.env): BasicTracerProvider | undefined {
  const config = otlpTracingConfig(env);
  if (!config) return undefined;
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OtlpJsonExporter(config))] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return provider;
}

/**
 * A minimal OTLP/HTTP JSON span exporter (the OTLP JSON encoding: hex ids, nanosecond strings,
 * kind = API kind + 1). Written here because the sample installs only the SDK core; the official
 * `@opentelemetry/exporter-trace-otlp-http` is a drop-in replacement.
 */
export class OtlpJsonExporter implements SpanExporter {
  constructor(private readonly config: OtlpTracingConfig) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    fetch(this.config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.config.headers },
      body: JSON.stringify(toOtlp(spans, this.config.resource)),
      signal: AbortSignal.timeout(this.config.timeoutMs),
    }).then(
      res => done(res.ok ? { code: 0 } : { code: 1, error: new Error(`OTLP export: HTTP ${res.status}`) }),
      err => done({ code: 1, error: err as Error }),
    );
  }

  async shutdown(): Promise<void> {}
}

function toOtlp(spans: ReadableSpan[], resource: Record<string, string>) {
  const byScope = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const key = `${span.instrumentationScope.name}\u0000${span.instrumentationScope.version ?? ''}`;
    byScope.set(key, [...(byScope.get(key) ?? []), span]);
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [...byScope.values()].map(list => ({
          scope: { name: list[0].instrumentationScope.name, version: list[0].instrumentationScope.version },
          spans: list.map(span => ({
            traceId: span.spanContext().traceId,
            spanId: span.spanContext().spanId,
            ...(span.parentSpanContext && { parentSpanId: span.parentSpanContext.spanId }),
            name: span.name,
            kind: span.kind + 1,
            startTimeUnixNano: nanos(span.startTime),
            endTimeUnixNano: nanos(span.endTime),
            attributes: attributes(span.attributes),
            events: span.events.map(e => ({ name: e.name, timeUnixNano: nanos(e.time), attributes: attributes(e.attributes ?? {}) })),
            links: span.links.map(l => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: attributes(l.attributes ?? {}) })),
            status: { code: span.status.code, ...(span.status.message && { message: span.status.message }) },
          })),
        })),
      },
    ],
  };
}

function attributes(attrs: Attributes | Record<string, string>) {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => ({ key, value: anyValue(v as AttributeValue) }));
}

function anyValue(v: AttributeValue): Record<string, unknown> {
  if (Array.isArray(v)) return { arrayValue: { values: v.map(x => anyValue(x as AttributeValue)) } };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v) };
}

function nanos([s, ns]: HrTime): string {
  return (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();
}

function pairs(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
