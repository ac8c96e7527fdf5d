import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { lastValueFrom } from 'rxjs';
import { ClientRedisStreams, RedisStreamsContext, RedisStreamsRecordBuilder } from '../../../lib/index.js';
import { otelTracing } from '../../../lib/otel/index.js';
import { useRedisFixture } from '../../helpers/fixture.js';
import { startClient, startServer } from '../../helpers/nest.js';
import { waitFor } from '../../helpers/wait.js';

const fast = { maxAttempts: 3, backoff: { type: 'fixed' as const, delayMs: 20, jitter: false } };

describe('otelTracing', () => {
  const f = useRedisFixture();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracing = otelTracing({ tracerProvider: provider });
  let tracer: Tracer;
  let producer: ClientRedisStreams;

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    tracer = provider.getTracer('test');
  });
  afterAll(async () => {
    context.disable();
    await provider.shutdown();
  });
  beforeEach(async () => {
    exporter.reset();
    producer = await startClient(f.prefix, { tracing });
  });
  afterEach(() => producer.close());

  const spans = (name: string) => exporter.getFinishedSpans().filter(s => s.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('should link producer → consumer → retry spans and carry W3C headers', async () => {
    const seen: { headers: Record<string, string>; attempt: number; active: string | undefined }[] = [];
    const server = await startServer([], { prefix: f.prefix, retry: fast, tracing });
    f.servers.push(server);
    await server.server.subscribe(
      'orders',
      (_data, ctx: RedisStreamsContext) => {
        tracer.startSpan('inside handler').end(); // the handler's own spans are children of its process span
        seen.push({ headers: ctx.getHeaders(), attempt: ctx.getAttempt(), active: trace.getActiveSpan()?.spanContext().spanId });
        if (ctx.getAttempt() === 1) throw new Error('first attempt fails');
      },
      { group: 'billing' },
    );

    const request = tracer.startSpan('POST /orders');
    const messageId = await context.with(trace.setSpan(context.active(), request), () =>
      lastValueFrom(producer.emit('orders', { sku: 'a' })),
    );
    request.end();
    await waitFor(() => spans('process orders').length === 2, 'two consumer spans');

    const [send] = spans('send orders');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send)).toBe(request.spanContext().spanId);
    expect(send.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.destination.name': 'orders',
      'messaging.operation.type': 'send',
      'messaging.message.id': messageId,
    });
    const { traceId, spanId } = send.spanContext();
    expect(seen[0].headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);

    const [first, retry] = spans('process orders').sort((a, b) => Number(a.attributes['messaging.redis_streams.attempt']) - Number(b.attributes['messaging.redis_streams.attempt']));
    for (const span of [first, retry]) {
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.spanContext().traceId).toBe(traceId);
      expect(parentOf(span)).toBe(spanId);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'redis',
        'messaging.destination.name': 'orders',
        'messaging.consumer.group.name': 'billing',
        'messaging.operation.type': 'process',
        'messaging.message.id': messageId,
      });
    }
    expect(first.attributes['messaging.redis_streams.attempt']).toBe(1);
    expect(first.attributes['messaging.redis_streams.outcome']).toBe('failure');
    expect(first.status.code).toBe(2); // ERROR
    expect(first.events.map(e => e.name)).toContain('exception');
    expect(retry.attributes['messaging.redis_streams.attempt']).toBe(2);
    expect(retry.attributes['messaging.redis_streams.outcome']).toBe('success');
    expect(retry.links.map(l => l.context.spanId)).toEqual([first.spanContext().spanId]);

    const inside = spans('inside handler');
    expect(inside.map(parentOf).sort()).toEqual([first.spanContext().spanId, retry.spanContext().spanId].sort());
    expect(seen.map(s => s.active).sort()).toEqual([first.spanContext().spanId, retry.spanContext().spanId].sort());
  });

  it('should link a retry to the failed attempt that another process ran, through Redis', async () => {
    // Two servers with a tracing each (no memory shared): A fails the first attempt and stops, B runs the retry.
    const slow = { maxAttempts: 3, backoff: { type: 'fixed' as const, delayMs: 300, jitter: false } };
    const a = await startServer([], { prefix: f.prefix, retry: slow, tracing: otelTracing({ tracerProvider: provider }) });
    f.servers.push(a);
    await a.server.subscribe('invoices', () => Promise.reject(new Error('A fails')), { group: 'billing' });
    await lastValueFrom(producer.emit('invoices', { n: 1 }));
    await waitFor(async () => (await f.redis.zcard(`${f.prefix}:{invoices}:retry:billing`)) === 1, 'the retry to be scheduled');
    await a.close();
    const b = await startServer([], { prefix: f.prefix, retry: slow, tracing: otelTracing({ tracerProvider: provider }) });
    f.servers.push(b);
    await b.server.subscribe('invoices', () => undefined, { group: 'billing' });
    await waitFor(() => spans('process invoices').length === 2, 'the retry on B');
    const [failed, retried] = spans('process invoices');
    expect(failed.attributes['messaging.redis_streams.outcome']).toBe('failure');
    expect(retried.attributes['messaging.redis_streams.attempt']).toBe(2);
    expect(retried.links.map(l => l.context.spanId)).toEqual([failed.spanContext().spanId]);
    expect(retried.links[0].context.traceId).toBe(failed.spanContext().traceId);
    expect(await f.redis.hlen(`${f.prefix}:{invoices}:failures:billing`)).toBe(0); // forgotten once acked
  });

  it('should continue a trace handed over in Nest packet metadata when no span is active', async () => {
    const server = await startServer([], { prefix: f.prefix, tracing });
    f.servers.push(server);
    let received: Record<string, string> | undefined;
    await server.server.subscribe('audit', (_d, ctx: RedisStreamsContext) => void (received = ctx.getHeaders()), { group: 'g' });
    const upstream = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const record = new RedisStreamsRecordBuilder({ a: 1 }).setHeaders({ traceparent: upstream, tracestate: 'vendor=x', tenant: 't1' }).build();
    await lastValueFrom(producer.emit('audit', record));
    await waitFor(() => spans('process audit').length === 1, 'the consumer span');
    const [send] = spans('send audit');
    expect(send.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentOf(send)).toBe('b7ad6b7169203331');
    expect(received).toMatchObject({ tenant: 't1', tracestate: 'vendor=x', traceparent: `00-0af7651916cd43dd8448eb211c80319c-${send.spanContext().spanId}-01` });
    expect(parentOf(spans('process audit')[0])).toBe(send.spanContext().spanId);
  });

  it('should mark a handler timeout in the consumer span outcome', async () => {
    const server = await startServer([], { prefix: f.prefix, retry: { ...fast, maxAttempts: 1 }, tracing, handlerTimeoutMs: 50 });
    f.servers.push(server);
    let release!: () => void;
    const hang = new Promise<void>(resolve => (release = resolve));
    await server.server.subscribe('slow', () => hang, { group: 'g' });
    await lastValueFrom(producer.emit('slow', { a: 1 }));
    await waitFor(() => spans('process slow').length === 1, 'the consumer span');
    release();
    expect(spans('process slow')[0].attributes['messaging.redis_streams.outcome']).toBe('timeout');
  });

  it('should add no header and record nothing while no tracer provider is registered', async () => {
    const globalTracing = otelTracing(); // the global provider: none registered in this test run
    const client = await startClient(f.prefix, { tracing: globalTracing });
    try {
      const server = await startServer([], { prefix: f.prefix, tracing: globalTracing });
      f.servers.push(server);
      let headers: Record<string, string> | undefined;
      await server.server.subscribe('quiet', (_d, ctx: RedisStreamsContext) => void (headers = ctx.getHeaders()), { group: 'g' });
      await lastValueFrom(client.emit('quiet', { a: 1 }));
      await waitFor(() => headers !== undefined, 'the message');
      expect(headers).toEqual({});
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
