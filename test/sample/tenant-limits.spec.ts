import request from 'supertest';
import { RedisThrottlerStorage } from '../../sample/common/rate-limit/redis-throttler.storage.js';
import { SampleRedis } from '../../sample/common/redis/sample-redis.service.js';
import type { SampleConfig } from '../../sample/config/sample-config.js';
import { deletePrefix, randomPrefix, redisUrl } from '../helpers/redis.js';
import { API, api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: per-tenant limits', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;

  afterEach(async () => {
    await s?.close();
    await receiver?.close();
  });

  describe('maxLength bounds the backlog (unacked + unread + delayed), not retained history', () => {
    beforeEach(async () => {
      s = await startSampleApp();
      receiver = await WebhookReceiver.start();
    });

    it('should accept more once the consumers acked what the queue held', async () => {
      const a = api(s);
      await a.queue('small', { maxLength: 2, retentionMs: 3_600_000 });
      await a.webhook('small', receiver.url());
      await a.publish('small', 1);
      await a.publish('small', 2);
      await waitFor(() => receiver.requests.length === 2, 'both deliveries');
      await waitFor(async () => (await a.get('/queues/small')).body.stats.groups[0]?.pending === 0, 'both acks');
      // The two entries are still retained (an hour), but nobody waits for them.
      expect((await a.get('/queues/small')).body.stats.length).toBe(2);
      expect(await a.publish('small', 3)).toEqual(expect.any(String));
    });

    it('should refuse once unread, unacked and delayed messages fill it', async () => {
      const a = api(s);
      await a.queue('external', { maxLength: 3 });
      // An external consumer group: nothing in the service reads it.
      await a.post('/subscriptions', { topic: 'external', type: 'redis_consumer', consumerGroup: 'ext' }).expect(201);
      await a.publish('external', 1);
      await a.publish('external', 2);
      // The external consumer reads one message and does not ack it: 1 unacked + 1 unread.
      const stream = `${s.config.prefix}:{${s.tenant}.external}`;
      await s.redis.xreadgroup('GROUP', 'ext', 'worker-1', 'COUNT', 1, 'STREAMS', stream, '>');
      await a.post('/publish/delayed', { topic: 'external', payload: 3, delayMs: 3_600_000 }).expect(202);
      const full = await a.post('/publish', { topic: 'external', payload: 4 });
      expect(full.status).toBe(429);
      expect(full.body).toMatchObject({ code: 'MQ_QUOTA_EXCEEDED', details: { maxLength: 3, backlog: 3 } });
      // The consumer acks its message: room for one more.
      const [[, [[entryId]]]] = (await s.redis.xreadgroup('GROUP', 'ext', 'worker-1', 'COUNT', 1, 'STREAMS', stream, '0')) as [string, [string, string[]][]][];
      await s.redis.xack(stream, 'ext', entryId);
      expect((await a.post('/publish', { topic: 'external', payload: 4 })).status).toBe(202);
    });

    it('should count delayed messages: 50 delayed publishes to a maxLength 5 queue leave 5', async () => {
      const a = api(s);
      await a.queue('later', { maxLength: 5 });
      const statuses: number[] = [];
      for (let n = 0; n < 50; n++) {
        statuses.push((await a.post('/publish/delayed', { topic: 'later', payload: n, delayMs: 3_600_000 })).status);
      }
      expect(statuses.filter(x => x === 202)).toHaveLength(5);
      expect(statuses.filter(x => x === 429)).toHaveLength(45);
      expect(await s.redis.zcard(`${s.config.prefix}:{${s.tenant}.later}:delayed`)).toBe(5);
    });
  });

  describe('quotas and rates', () => {
    it('should answer 429 MQ_QUOTA_EXCEEDED past the subscription quota of the tenant', async () => {
      s = await startSampleApp({ limits: { maxSubscriptions: 2, requestsPerWindow: 1000, publishPerWindow: 1000, authFailuresPerWindow: 30, windowMs: 60_000 } });
      receiver = await WebhookReceiver.start();
      const a = api(s);
      await a.queue('orders');
      await a.webhook('orders', receiver.url());
      await a.post('/subscriptions', { topic: 'orders', type: 'redis_consumer', consumerGroup: 'billing' }).expect(201);
      const third = await a.post('/subscriptions', { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url() } });
      expect(third.status).toBe(429);
      expect(third.body).toMatchObject({ code: 'MQ_QUOTA_EXCEEDED', details: { limit: 2 } });
      // Another tenant has its own quota.
      const other = api(s, s.token({ tenant_id: 'other' }));
      await other.queue('orders');
      await other.webhook('orders', receiver.url());
    });

    it('should limit the request rate per tenant with 429 MQ_RATE_LIMITED and Retry-After', async () => {
      s = await startSampleApp({ limits: { maxSubscriptions: 50, requestsPerWindow: 5, publishPerWindow: 1000, authFailuresPerWindow: 30, windowMs: 60_000 } });
      const a = api(s);
      const statuses: number[] = [];
      for (let n = 0; n < 8; n++) statuses.push((await a.get('/queues')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      const limited = await a.get('/queues');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.body).toMatchObject({ code: 'MQ_RATE_LIMITED', message: expect.any(String), details: { limit: 5, windowSeconds: 60 } });
      // Counted per tenant across every route.
      expect((await a.post('/queues', { name: 'x' })).status).toBe(429);
      expect((await api(s, s.token({ tenant_id: 'other' })).get('/queues')).status).toBe(200);
    });

    it('should answer 429 to an address past its failed authentications, before checking any credential', async () => {
      s = await startSampleApp({ limits: { maxSubscriptions: 50, requestsPerWindow: 1000, publishPerWindow: 1000, authFailuresPerWindow: 3, windowMs: 60_000 } });
      const a = api(s);
      expect((await a.get('/queues')).status).toBe(200); // a valid token is not a failure
      // An address that never failed is not even looked up: no counter exists for it.
      expect(await s.redis.keys(`${s.config.prefix}:sample:throttle:{auth-failures:*`)).toEqual([]);
      const guess = (path: string, headers: Record<string, string>) => {
        const call = request(s.http).get(path);
        for (const [name, value] of Object.entries(headers)) call.set(name, value);
        return call;
      };
      const statuses: number[] = [];
      statuses.push((await guess(`${API}/queues`, { Authorization: 'Bearer a.b.c' })).status);
      statuses.push((await guess(`${API}/queues`, {})).status);
      statuses.push((await guess('/internal/mq/health-detailed', { 'X-Service-Token': 'wrong' })).status); // every guard counts
      statuses.push((await guess(`${API}/queues`, { Authorization: 'Bearer a.b.c' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await a.get('/queues'); // the address is blocked: a valid token too, until the window ends
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ code: 'MQ_RATE_LIMITED', details: { limit: 3, windowSeconds: 60 } });
    });

    it('should limit the messages published per tenant, a batch counting each message, all or none', async () => {
      s = await startSampleApp({ limits: { maxSubscriptions: 50, requestsPerWindow: 1000, publishPerWindow: 3, authFailuresPerWindow: 30, windowMs: 60_000 } });
      const a = api(s);
      await a.queue('orders');
      await request(s.http).post(`${API}/publish/batch`).set('Authorization', a.auth).send({ topic: 'orders', messages: [{ payload: 1 }, { payload: 2 }] }).expect(202);
      const batch = await a.post('/publish/batch', { topic: 'orders', messages: [{ payload: 3 }, { payload: 4 }] });
      expect(batch.status).toBe(429);
      expect(batch.body.code).toBe('MQ_RATE_LIMITED');
      expect(Number(batch.headers['retry-after'])).toBeGreaterThan(0);
      expect(await s.redis.xlen(`${s.config.prefix}:{${s.tenant}.orders}`)).toBe(2);
    });
  });
});

describe('RedisThrottlerStorage', () => {
  it('should share one counter between replicas (two storages on the same Redis)', async () => {
    const config = { redisUrl: redisUrl(), prefix: randomPrefix(), redisTimeoutMs: 2_000 } as SampleConfig;
    const oneRedis = new SampleRedis(config);
    const one = new RedisThrottlerStorage(oneRedis, config);
    const twoRedis = new SampleRedis(config);
    const two = new RedisThrottlerStorage(twoRedis, config);
    try {
      const hits = [];
      for (let n = 0; n < 3; n++) {
        hits.push(await one.increment('k', 10_000, 4, 10_000, 'test'));
        hits.push(await two.increment('k', 10_000, 4, 10_000, 'test'));
      }
      expect(hits.map(h => h.isBlocked)).toEqual([false, false, false, false, true, true]);
      expect(hits[3]).toMatchObject({ totalHits: 4, isBlocked: false });
      expect(hits[4].timeToBlockExpire).toBeGreaterThan(0);
    } finally {
      await deletePrefix(oneRedis.redis, config.prefix);
      await oneRedis.onApplicationShutdown();
      await twoRedis.onApplicationShutdown();
    }
  });
});
