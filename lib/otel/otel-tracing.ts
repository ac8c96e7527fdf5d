import {
  context,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { HandlerTimeoutError } from '../errors/handler-timeout.error.js';
import { isUnrecoverable } from '../server/settle-decision.js';
import type { MessageTracing, ProcessedMessage, SentMessage } from '../tracing/message-tracing.interface.js';
import { extractTraceHeaders, formatTraceparent, injectTraceHeaders, parseTraceparent } from './trace-headers.js';

/** Options of `otelTracing()`. */
export interface OtelTracingOptions {
  /** Provider to take the tracer from. @defaultValue the global one (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** `messaging.system` attribute. @defaultValue 'redis' */
  messagingSystem?: string;
  /**
   * @deprecated Ignored. A retry finds the span of the attempt before it in Redis, kept with the
   * retry, whichever process ran it; nothing is remembered in memory any more.
   */
  rememberAttempts?: number;
}

const TRACER_NAME = 'nestjs-redis-streams-transport';
/** The provider `trace.getTracerProvider()` delegates to while no SDK registered one. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Outcome attribute of a consumer span. */
export type ProcessOutcome = 'success' | 'failure' | 'timeout' | 'unrecoverable';

/**
 * OpenTelemetry tracing for client and server (`tracing: otelTracing()`): a `send <topic>` producer
 * span per published message, whose W3C `traceparent` / `tracestate` travel in the entry's headers
 * (Nest packet metadata: a traceparent already in the metadata is the parent when no span is
 * active), and a `process <topic>` consumer span per delivery, child of the producer span, with
 * the OpenTelemetry messaging attributes, the attempt and the outcome. A retry links to the span of
 * the attempt before it, whichever process of the group ran that one: the failed attempt's
 * `traceparent` is kept in Redis with the retry. Costs a check per message while no tracer
 * provider is registered.
 */
export function otelTracing(options: OtelTracingOptions = {}): MessageTracing {
  const system = options.messagingSystem ?? 'redis';
  let tracer: Tracer | undefined;
  const activeTracer = (): Tracer | undefined => {
    const provider = options.tracerProvider ?? trace.getTracerProvider();
    if (provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_PROVIDER) return undefined;
    return (tracer ??= provider.getTracer(TRACER_NAME));
  };

  const startSend = (message: SentMessage): ((error?: unknown) => void) => {
    const t = activeTracer();
    if (!t) return noop;
    let parent = context.active();
    if (!trace.getSpanContext(parent)) {
      const upstream = extractTraceHeaders(message.headers);
      if (upstream) parent = trace.setSpanContext(parent, upstream);
    }
    const span = t.startSpan(
      `send ${message.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': system,
          'messaging.destination.name': message.topic,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.message.id': message.messageId,
        },
      },
      parent,
    );
    injectTraceHeaders(span.spanContext(), message.headers);
    return (error?: unknown) => {
      if (error !== undefined) recordError(span, error);
      span.end();
    };
  };

  const process = async <T>(message: ProcessedMessage, run: () => Promise<T>): Promise<T> => {
    const t = activeTracer();
    if (!t) return run();
    const producer = extractTraceHeaders(message.headers);
    const parent = producer ? trace.setSpanContext(context.active(), producer) : context.active();
    const previous = message.attempt > 1 ? parseTraceparent(message.previousAttempt) : undefined;
    const links: Link[] = previous ? [{ context: previous, attributes: { 'messaging.redis_streams.link': 'previous_attempt' } }] : [];
    const attributes: Attributes = {
      'messaging.system': system,
      'messaging.destination.name': message.topic,
      'messaging.consumer.group.name': message.group,
      'messaging.client.id': message.consumer,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.message.id': message.messageId,
      'messaging.redis_streams.entry_id': message.entryId,
      'messaging.redis_streams.attempt': message.attempt,
    };
    const span = t.startSpan(`process ${message.topic}`, { kind: SpanKind.CONSUMER, attributes, links }, parent);
    message.traceparent = formatTraceparent(span.spanContext());
    try {
      const result = await context.with(trace.setSpan(parent, span), run);
      span.setAttribute('messaging.redis_streams.outcome', 'success' satisfies ProcessOutcome);
      return result;
    } catch (err) {
      span.setAttribute('messaging.redis_streams.outcome', outcomeOf(err));
      recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  };

  return { startSend, process };
}

function outcomeOf(error: unknown): ProcessOutcome {
  if (error instanceof HandlerTimeoutError) return 'timeout';
  return isUnrecoverable(error) ? 'unrecoverable' : 'failure';
}

function recordError(span: { recordException(e: Error | string): void; setStatus(s: { code: SpanStatusCode; message?: string }): void; setAttribute(k: string, v: string): void }, error: unknown): void {
  const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : describe(error));
  span.recordException(err);
  span.setAttribute('error.type', err.name || 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

function noop(): void {}
