import { Counter, Histogram, Registry } from 'prom-client';
import { type MessageSettledEvent } from '../../../lib/index.js';
import { RedisStreamsMetricsObserver } from '../../../lib/prometheus/index.js';

describe(RedisStreamsMetricsObserver.name, () => {
  let registry: Registry;
  let observer: RedisStreamsMetricsObserver;
  const tracked: string[] = [];

  beforeEach(() => {
    registry = new Registry();
    const registers = [registry];
    observer = new RedisStreamsMetricsObserver(
      new Counter({ name: 'mq_messages_total', help: 'h', labelNames: ['topic', 'group', 'outcome'], registers }),
      new Histogram({ name: 'mq_handler_duration_seconds', help: 'h', labelNames: ['topic', 'group', 'outcome'], buckets: [0.01, 0.1], registers }),
      new Histogram({ name: 'mq_message_latency_seconds', help: 'h', labelNames: ['topic', 'group'], buckets: [1, 10], registers }),
      { track: (topic: string) => tracked.push(topic) } as never,
    );
    tracked.length = 0;
  });

  afterEach(() => observer.onApplicationShutdown());

  function settled(over: Partial<MessageSettledEvent>): MessageSettledEvent {
    return {
      topic: 'orders', group: 'billing', consumer: 'c', messageId: 'm', entryId: '1-0', attempt: 1,
      outcome: 'acked', durationMs: 5, publishedAt: Date.now() - 2_000, ...over,
    };
  }

  async function values(name: string): Promise<Record<string, string | number | undefined>[]> {
    const metric = (await registry.getMetricsAsJSON()).find(m => m.name === name)!;
    return metric.values.map(v => ({
      ...(v.labels as Record<string, string>),
      value: v.value,
      metric: (v as { metricName?: string }).metricName,
    }));
  }

  describe('onMessageSettled', () => {
    it('should count every delivery as consumed and under its outcome, a dropped one as failed', async () => {
      observer.onMessageSettled(settled({ outcome: 'acked' }));
      observer.onMessageSettled(settled({ outcome: 'acked' }));
      observer.onMessageSettled(settled({ outcome: 'retried', error: 'x' }));
      observer.onMessageSettled(settled({ outcome: 'dead_lettered', error: 'x' }));
      observer.onMessageSettled(settled({ outcome: 'dropped', error: 'x' }));
      // Counts are summed in plain numbers and reach the counter on the next flush (every second).
      expect(await values('mq_messages_total')).toEqual([]);
      observer.flush();
      expect(await values('mq_messages_total')).toEqual([
        { topic: 'orders', group: 'billing', outcome: 'consumed', value: 5, metric: undefined },
        { topic: 'orders', group: 'billing', outcome: 'acked', value: 2, metric: undefined },
        { topic: 'orders', group: 'billing', outcome: 'retried', value: 1, metric: undefined },
        { topic: 'orders', group: 'billing', outcome: 'dead_lettered', value: 1, metric: undefined },
        { topic: 'orders', group: 'billing', outcome: 'failed', value: 1, metric: undefined },
      ]);
    });

    it('should observe the handler time by outcome and the end-to-end latency of successes only', async () => {
      observer.onMessageSettled(settled({ outcome: 'acked', durationMs: 50 }));
      observer.onMessageSettled(settled({ outcome: 'retried', durationMs: 5 }));
      const durations = (await values('mq_handler_duration_seconds')).filter(v => v.metric === 'mq_handler_duration_seconds_sum');
      expect(durations).toEqual([
        expect.objectContaining({ outcome: 'acked', value: 0.05 }),
        expect.objectContaining({ outcome: 'retried', value: 0.005 }),
      ]);
      const latency = (await values('mq_message_latency_seconds')).filter(v => v.metric === 'mq_message_latency_seconds_count');
      expect(latency).toEqual([{ topic: 'orders', group: 'billing', value: 1, metric: 'mq_message_latency_seconds_count' }]);
      const [sum] = (await values('mq_message_latency_seconds')).filter(v => v.metric === 'mq_message_latency_seconds_sum');
      expect(sum.value).toBeGreaterThanOrEqual(2);
      expect(sum.value).toBeLessThan(3);
    });

    it('should count an undecodable entry without observing a handler time', async () => {
      observer.onMessageSettled(settled({ outcome: 'dead_lettered', messageId: undefined, publishedAt: undefined, durationMs: 0 }));
      observer.flush();
      expect((await values('mq_messages_total')).map(v => v.outcome)).toEqual(['consumed', 'dead_lettered']);
      expect(await values('mq_handler_duration_seconds')).toEqual([]);
    });

    it('should never throw into the transport', () => {
      const broken = new RedisStreamsMetricsObserver(
        { inc: () => { throw new Error('boom'); } } as never,
        {} as never,
        {} as never,
      );
      expect(() => broken.onMessageSettled(settled({}))).not.toThrow();
      expect(() => broken.onMessagePublished({ topic: 't', messageId: 'm', entryId: '1-0', publishedAt: 1, headers: {}, payloadSize: 1 })).not.toThrow();
      expect(() => broken.onApplicationShutdown()).not.toThrow();
    });
  });

  describe('onMessagePublished', () => {
    it('should count publishes with an empty group and track the topic for the gauges', async () => {
      observer.onMessagePublished({ topic: 'orders', messageId: 'm', entryId: '1-0', publishedAt: 1, headers: {}, payloadSize: 1 });
      observer.flush();
      expect(await values('mq_messages_total')).toEqual([{ topic: 'orders', group: '', outcome: 'published', value: 1, metric: undefined }]);
      observer.onConsumerStarted({ topic: 'invoices', group: 'billing', consumer: 'c' });
      expect(tracked).toEqual(['orders', 'invoices']);
    });
  });
});
