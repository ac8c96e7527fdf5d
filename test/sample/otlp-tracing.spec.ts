import { context, trace } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { otlpTracingConfig, startOtlpTracing } from '../../sample/observability/otlp-tracing.js';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

describe('Sample: OTLP trace export from the OTEL_* environment', () => {
  describe(otlpTracingConfig, () => {
    it('should follow the standard variables', () => {
      expect(otlpTracingConfig({})).toBeUndefined();
      expect(otlpTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
      expect(otlpTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
      expect(
        otlpTracingConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
          OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x=1',
          OTEL_SERVICE_NAME: 'mq',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
        }),
      ).toEqual({
        url: 'http://127.0.0.1:4318/v1/traces',
        headers: { 'api-key': 'a b', x: '1' },
        resource: { 'deployment.environment': 'test', 'service.name': 'mq' },
        timeoutMs: 10_000,
      });
      expect(otlpTracingConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/traces' })?.url).toBe('http://127.0.0.1:9/traces');
      expect(() => otlpTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/http\/json only/);
    });
  });

  describe('export', () => {
    let collector: WebhookReceiver;
    let hooks: WebhookReceiver;
    let provider: BasicTracerProvider;
    let s: SampleHarness;

    beforeEach(async () => {
      collector = await WebhookReceiver.start();
      hooks = await WebhookReceiver.start();
      provider = startOtlpTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''), OTEL_SERVICE_NAME: 'mq-sample-test' })!;
      s = await startSampleApp();
    });
    afterEach(async () => {
      await s.close();
      await provider.shutdown();
      trace.disable();
      context.disable();
      await collector.close();
      await hooks.close();
    });

    it('should export the producer and consumer spans of a published message over OTLP/HTTP JSON', async () => {
      const a = api(s);
      await a.queue('orders');
      await a.webhook('orders', hooks.url('/in'));
      const id = await a.publish('orders', { orderId: 1 });
      await waitFor(() => hooks.deliveriesOf(id).length === 1, 'the webhook delivery');
      const spans = async () => {
        await provider.forceFlush();
        return collector.requests
          .filter(r => r.path === '/v1/traces')
          .flatMap(r => (r.json as any).resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans))) as OtlpSpan[];
      };
      const idOf = (span: OtlpSpan) => span.attributes.find(x => x.key === 'messaging.message.id')?.value.stringValue;
      await waitFor(async () => (await spans()).filter(sp => idOf(sp) === id).length === 2, 'the exported send and process spans');
      const mine = (await spans()).filter(sp => idOf(sp) === id);
      const send = mine.find(sp => sp.name === `send ${s.tenant}.orders`)!;
      const processSpan = mine.find(sp => sp.name === `process ${s.tenant}.orders`)!;
      expect(send.kind).toBe(4); // PRODUCER
      expect(processSpan.kind).toBe(5); // CONSUMER
      expect(processSpan.traceId).toBe(send.traceId);
      expect(processSpan.parentSpanId).toBe(send.spanId);
      const [request] = collector.requests.filter(r => r.path === '/v1/traces');
      expect((request.json as any).resourceSpans[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'mq-sample-test' } });
      expect(hooks.deliveriesOf(id)[0].json.headers.traceparent).toBe(`00-${send.traceId}-${send.spanId}-01`);
    });
  });
});
