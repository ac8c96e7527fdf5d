import request from 'supertest';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { PrivateRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: monitoring', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  let a: ReturnType<typeof api>;

  afterEach(async () => {
    await s?.close();
    await receiver?.close();
  });

  async function start(overrides: Parameters<typeof startSampleApp>[0] = {}) {
    s = await startSampleApp(overrides);
    receiver = await WebhookReceiver.start();
    a = api(s);
  }

  it('should report system, per-queue and per-group metrics of the tenant only, with rates', async () => {
    await start();
    await a.queue('orders', { maxAttempts: 1 });
    await a.queue('idle');
    await api(s, s.token({ tenant_id: 'other' })).queue('theirs');
    const sub = await a.webhook('orders', receiver.url());
    receiver.respond = r => (r.json.data.fail ? 500 : 200);
    for (let n = 0; n < 4; n++) await a.publish('orders', { n });
    await a.publish('orders', { fail: true });
    await waitFor(async () => (await a.get('/metrics')).body.topics?.find((t: any) => t.queue === 'orders')?.deadLetters === 1, 'the dead letter');
    await waitFor(async () => (await a.get('/metrics/topics')).body.find((t: any) => t.queue === 'orders')?.publishedPerSec !== null, 'a rate');

    const { body } = await a.get('/metrics').expect(200);
    expect(body.system).toMatchObject({
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
      memory: { rssBytes: expect.any(Number), heapUsedBytes: expect.any(Number) },
      readLoops: { total: 5, alive: 5 }, // four platform topics and the webhook
      totals: { queues: 2, messages: 5, deadLetters: 1 },
    });
    expect(body.topics.map((t: any) => t.queue)).toEqual(['idle', 'orders']);
    expect(body.topics[1]).toMatchObject({ topic: `${s.tenant}.orders`, length: 5, delayed: 0, deadLetters: 1, backlog: 0, groups: 1 });
    expect(body.topics[1].publishedPerSec).toBeGreaterThanOrEqual(0);
    expect(body.consumers).toEqual([
      expect.objectContaining({ queue: 'orders', group: sub.consumerGroup, subscriptionId: sub.id, type: 'webhook', pending: 0, lag: 0, lagSeconds: 0, delivered: 4, failed: 1, filtered: 0 }),
    ]);
    expect((await a.get('/metrics/topics')).body).toHaveLength(2);
    expect((await a.get('/metrics/consumers')).body).toHaveLength(1);
    expect((await request(s.http).get('/api/v1/mq/metrics')).status).toBe(401);
  });

  it('should raise alerts for dead letters, backlog and lag in /status', async () => {
    await start({ alertBacklog: 1, alertLagSeconds: 0 });
    await a.queue('orders', { maxAttempts: 1 });
    expect((await a.get('/status')).body).toMatchObject({ status: 'ok', alerts: [], version: expect.any(String), uptimeSeconds: expect.any(Number) });
    const sub = await a.webhook('orders', receiver.url());
    receiver.respond = 500;
    await a.publish('orders', 1);
    await waitFor(async () => (await a.get('/status')).body.alerts.some((x: any) => x.type === 'dead_letters'), 'the dead-letter alert');
    await a.post(`/subscriptions/${sub.id}/pause`).expect(200);
    await waitFor(
      async () =>
        ((await a.healthDetails()).body.info?.redis_streams?.consumers ?? []).some(
          (c: { group: string; paused: boolean }) => c.group === sub.consumerGroup && c.paused,
        ),
      "the group's consumer to report paused",
    );
    await a.publish('orders', 2);
    await a.publish('orders', 3);
    await waitFor(async () => (await a.get('/status')).body.alerts.length === 3, 'three alerts');
    const { body } = await a.get('/status');
    expect(body.status).toBe('degraded');
    expect(body.alerts.map((x: any) => x.type).sort()).toEqual(['backlog', 'dead_letters', 'lag']);
    expect(body.alerts.find((x: any) => x.type === 'backlog')).toMatchObject({ queue: 'orders', group: sub.consumerGroup, value: 2, threshold: 1 });
    expect((await api(s, s.token({ tenant_id: 'other' })).get('/status')).body.alerts).toEqual([]);
  });

  it('should answer the public probes without a token and without naming any tenant, topic or group', async () => {
    await start();
    await a.queue('secret-queue');
    const sub = await a.webhook('secret-queue', receiver.url());
    for (const path of ['/api/v1/mq/health', '/api/v1/mq/health/ready', '/api/v1/mq/health/live']) {
      const res = await request(s.http).get(path);
      expect([path, res.status, res.body]).toEqual([path, 200, { status: 'ok' }]);
      expect(res.text).not.toContain(s.tenant);
      expect(res.text).not.toContain(sub.id);
      expect(res.text).not.toContain('platform.');
    }
  });

  it('should show the detailed health only with the metrics token or a monitoring-role JWT', async () => {
    await start();
    await a.queue('orders');
    const sub = await a.webhook('orders', receiver.url());
    const path = '/api/v1/mq/health/details';
    expect((await request(s.http).get(path)).status).toBe(401);
    expect((await request(s.http).get(path).set('Authorization', 'Bearer wrong')).status).toBe(401);
    // A tenant's admin is not enough: the report spans tenants.
    expect((await request(s.http).get(path).set('Authorization', a.auth)).status).toBe(403);
    const monitoring = `Bearer ${s.token({ tenant_id: 'platform', roles: ['monitoring'] })}`;
    for (const auth of [`Bearer ${s.config.metricsToken}`, monitoring]) {
      const res = await request(s.http).get(path).set('Authorization', auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { redis_streams: { status: 'up', redis: 'up' }, database: { status: 'up' } } });
      expect(res.body.info.redis_streams.consumers.map((c: any) => c.group)).toContain(sub.consumerGroup);
    }
  });

  it('should serve Prometheus text at /metrics only with a credential (it names every tenant)', async () => {
    await start();
    await a.queue('orders');
    await a.publish('orders', 1);
    expect((await request(s.http).get('/metrics')).status).toBe(401);
    expect((await request(s.http).get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
    expect((await request(s.http).get('/metrics').set('Authorization', a.auth)).status).toBe(403);
    const line = `mq_messages_total{topic="${s.tenant}.orders",group="",outcome="published"} 1`;
    // The transport's metrics observer may add its counts to the counter periodically.
    const text = await waitFor(async () => {
      const res = await request(s.http).get('/metrics').set('Authorization', `Bearer ${s.config.metricsToken}`);
      return res.text.includes(line) ? res : undefined;
    }, 'the publish in the Prometheus text');
    expect(text!.status).toBe(200);
    expect(text!.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('should serve the OpenAPI document with every endpoint of the admin and internal APIs', async () => {
    await start();
    const { body } = await request(s.http).get('/api/docs-json').expect(200);
    const ops = Object.entries(body.paths).flatMap(([path, methods]) => Object.keys(methods as object).map(m => `${m.toUpperCase()} ${path}`));
    const expected = [
      'POST /api/v1/mq/queues', 'GET /api/v1/mq/queues', 'GET /api/v1/mq/queues/{name}', 'PUT /api/v1/mq/queues/{name}',
      'DELETE /api/v1/mq/queues/{name}', 'POST /api/v1/mq/queues/{name}/purge',
      'POST /api/v1/mq/publish', 'POST /api/v1/mq/publish/batch', 'POST /api/v1/mq/publish/delayed', 'POST /api/v1/mq/publish/scheduled',
      'POST /api/v1/mq/topics/{name}/publish',
      'POST /api/v1/mq/subscriptions', 'GET /api/v1/mq/subscriptions', 'GET /api/v1/mq/subscriptions/{id}', 'PUT /api/v1/mq/subscriptions/{id}',
      'DELETE /api/v1/mq/subscriptions/{id}', 'POST /api/v1/mq/subscriptions/{id}/pause', 'POST /api/v1/mq/subscriptions/{id}/resume',
      'GET /api/v1/mq/dead-letters', 'POST /api/v1/mq/dead-letters/retry', 'DELETE /api/v1/mq/dead-letters',
      'GET /api/v1/mq/metrics', 'GET /api/v1/mq/metrics/topics', 'GET /api/v1/mq/metrics/consumers', 'GET /api/v1/mq/health', 'GET /api/v1/mq/status',
      'GET /api/v1/mq/health/live', 'GET /api/v1/mq/health/ready', 'GET /api/v1/mq/health/details', 'GET /api/v1/mq/messages/{id}',
      'POST /internal/mq/user-events', 'POST /internal/mq/notifications', 'POST /internal/mq/audit-logs', 'GET /internal/mq/metrics',
      'GET /internal/mq/health-detailed',
    ];
    expect(ops.sort()).toEqual(expected.sort());
    expect((await request(s.http).get('/api/docs')).status).toBe(200);
  });

  describe('while Redis is down', () => {
    let redis: PrivateRedis;

    afterEach(async () => {
      // The app first, while its Redis runs: closing against a dead Redis waits for timeouts.
      await s?.close();
      s = undefined as unknown as SampleHarness;
      await redis.stop();
    });

    it('should answer 503 (never 500): health MQ_UNHEALTHY, API calls MQ_UNAVAILABLE', async () => {
      redis = await PrivateRedis.start();
      await start({ redisUrl: redis.url });
      await a.queue('orders');
      await redis.stop();
      const health = await request(s.http).get('/api/v1/mq/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ code: 'MQ_UNHEALTHY', message: expect.any(String) });
      const details = await a.healthDetails();
      expect(details.status).toBe(503);
      expect(details.body).toMatchObject({ code: 'MQ_UNHEALTHY', details: { status: 'error', error: { redis_streams: { status: 'down' } } } });
      const started = Date.now();
      const publish = await a.post('/publish', { topic: 'orders', payload: 1 });
      expect(Date.now() - started).toBeLessThan(5_000); // REDIS_TIMEOUT_MS, not a hanging request
      const q = await a.get('/queues/orders');
      for (const res of [publish, q]) {
        expect([res.status, res.body.code]).toEqual([503, 'MQ_UNAVAILABLE']);
      }
      // Back up: the service recovers on its own.
      await redis.start();
      await waitFor(async () => (await request(s.http).get('/api/v1/mq/health')).status === 200, 'health after the outage', 20_000);
      // Readiness covers every Redis connection the service uses: once ready, publishing works.
      await a.publish('orders', 2);
    });
  });
});
