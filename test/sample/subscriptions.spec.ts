import { createHmac } from 'node:crypto';
import { api } from './helpers/api.js';
import { RetentionSweeper } from '../../sample/runtime/retention-sweeper.service.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver, type ReceivedRequest } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

/** What a receiver does to verify a request (computed here independently of the service's code). */
function validSignature(secret: string, r: ReceivedRequest): boolean {
  const timestamp = Number(r.headers['x-mq-timestamp']);
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return r.headers['x-mq-signature'] === expected && Math.abs(Date.now() / 1000 - timestamp) < 300;
}

describe('Sample: subscriptions API and webhook delivery', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  let a: ReturnType<typeof api>;

  beforeEach(async () => {
    s = await startSampleApp();
    receiver = await WebhookReceiver.start();
    a = api(s);
    await a.queue('orders', { maxAttempts: 3, retryDelayMs: 50, retryBackoff: 'fixed' });
  });

  afterEach(async () => {
    await s.close();
    await receiver.close();
  });

  describe('webhook delivery', () => {
    it('should POST each message with a valid HMAC-SHA256 signature, custom headers and the message envelope', async () => {
      const sub = await a.webhook('orders', receiver.url('/in'), { handlerConfig: { headers: { Authorization: 'Bearer receiver' }, timeoutMs: 2000 } });
      expect(sub.secret).toMatch(/^whsec_/);
      const id = await a.publish('orders', { orderId: 1 }, { key: 'k1', headers: { 'x-region': 'eu' } });
      await waitFor(() => receiver.deliveriesOf(id).length === 1, 'the webhook delivery');
      const [r] = receiver.deliveriesOf(id);
      expect(r.path).toBe('/in');
      expect(validSignature(sub.secret, r)).toBe(true);
      expect(validSignature('whsec_wrong', r)).toBe(false);
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        authorization: 'Bearer receiver',
        'x-mq-message-id': id,
        'x-mq-attempt': '1',
        'x-mq-queue': 'orders',
        'x-mq-subscription-id': sub.id,
      });
      expect(r.json).toEqual({
        id,
        queue: 'orders',
        attempt: 1,
        publishedAt: expect.any(String),
        key: 'k1',
        headers: { 'x-region': 'eu', 'x-tenant-id': s.tenant, 'x-producer-id': 'alice' },
        data: { orderId: 1 },
      });
      await waitFor(async () => (await a.get(`/subscriptions/${sub.id}`)).body.stats?.delivered === 1, 'the delivered counter');
    });

    it('should retry on a 500 and ack on the next 2xx', async () => {
      await a.webhook('orders', receiver.url());
      let calls = 0;
      receiver.respond = () => (++calls === 1 ? 500 : 204);
      const id = await a.publish('orders', { n: 1 });
      await waitFor(() => receiver.deliveriesOf(id).length === 2, 'a retry');
      expect(receiver.deliveriesOf(id).map(r => r.headers['x-mq-attempt'])).toEqual(['1', '2']);
      const dlq = await a.get('/dead-letters?topic=orders');
      expect(dlq.body.deadLetters).toEqual([]);
    });

    it('should dead-letter after maxAttempts failures, with the HTTP status as the error', async () => {
      const sub = await a.webhook('orders', receiver.url());
      receiver.respond = 500;
      const id = await a.publish('orders', { n: 1 });
      await waitFor(async () => (await a.get('/dead-letters?topic=orders')).body.deadLetters.length === 1, 'the dead letter');
      expect(receiver.deliveriesOf(id)).toHaveLength(3);
      const [letter] = (await a.get('/dead-letters?topic=orders')).body.deadLetters;
      expect(letter).toMatchObject({
        messageId: id,
        queue: 'orders',
        group: sub.consumerGroup,
        subscriptionId: sub.id,
        attempts: 3,
        error: 'WebhookDeliveryError: Webhook answered HTTP 500',
        data: { n: 1 },
      });
      const stats = (await a.get(`/subscriptions/${sub.id}`)).body.stats;
      expect(stats).toMatchObject({ delivered: 0, failed: 3, pending: 0 });
    });

    it('should count a timeout as a failure', async () => {
      await a.queue('slow', { maxAttempts: 1 });
      await a.webhook('slow', receiver.url('/slow'), { handlerConfig: { timeoutMs: 200 } });
      receiver.respond = 'hang';
      await a.publish('slow', 1);
      await waitFor(async () => (await a.get('/dead-letters?topic=slow')).body.deadLetters.length === 1, 'the dead letter');
      const [letter] = (await a.get('/dead-letters?topic=slow')).body.deadLetters;
      // What happened, without the address or port of the target.
      expect(letter.error).toBe('WebhookDeliveryError: Webhook delivery failed: timed out');
    });

    it('should apply the message filter: matching messages are delivered, the others acked and counted', async () => {
      const sub = await a.webhook('orders', receiver.url(), { messageFilter: { headers: { 'x-region': 'eu' }, payload: { 'order.priority': 1 } } });
      const match = await a.publish('orders', { order: { priority: 1 } }, { headers: { 'x-region': 'eu' } });
      await a.publish('orders', { order: { priority: 2 } }, { headers: { 'x-region': 'eu' } });
      await a.publish('orders', { order: { priority: 1 } }, { headers: { 'x-region': 'us' } });
      await a.publish('orders', { order: { priority: '1' } }, { headers: { 'x-region': 'eu' } });
      await waitFor(async () => (await a.get(`/subscriptions/${sub.id}`)).body.stats.filtered === 3, 'three filtered messages');
      const { stats } = (await a.get(`/subscriptions/${sub.id}`)).body;
      expect(stats).toMatchObject({ delivered: 1, filtered: 3, pending: 0, lag: 0 });
      expect(receiver.requests.map(r => r.json.id)).toEqual([match]);
      // A filter change applies to the next message.
      await a.put(`/subscriptions/${sub.id}`, { messageFilter: null }).expect(200);
      const next = await a.publish('orders', { order: { priority: 9 } });
      await waitFor(() => receiver.deliveriesOf(next).length === 1, 'delivery without a filter');
    });

    it('should pause and resume the subscription, persisting its status', async () => {
      const sub = await a.webhook('orders', receiver.url());
      const paused = await a.post(`/subscriptions/${sub.id}/pause`);
      expect(paused.status).toBe(200);
      expect(paused.body.status).toBe('paused');
      expect(await s.redis.sismember(`${s.config.prefix}:{${s.tenant}.orders}:paused`, sub.consumerGroup)).toBe(1);
      const [row] = await s.sql<{ status: string }>(`SELECT status FROM message_subscriptions WHERE id = $1`, [sub.id]);
      expect(row.status).toBe('paused');
      // Consumers check the pause every 400 ms: wait until this group's consumer reports it.
      await waitFor(
        async () =>
          ((await a.healthDetails()).body.info?.redis_streams?.consumers ?? []).some(
            (c: { group: string; paused: boolean }) => c.group === sub.consumerGroup && c.paused,
          ),
        "the group's consumer to report paused",
      );
      const id = await a.publish('orders', { n: 1 });
      await waitFor(async () => (await a.get(`/subscriptions/${sub.id}`)).body.stats.lag === 1, 'the message waiting in the paused group');
      expect(receiver.deliveriesOf(id)).toHaveLength(0);
      const resumed = await a.post(`/subscriptions/${sub.id}/resume`);
      expect(resumed.body.status).toBe('active');
      await waitFor(() => receiver.deliveriesOf(id).length === 1, 'the delivery after resume');
    });

    it('should apply a changed URL and a changed retry policy of the queue to the running consumer', async () => {
      const other = await WebhookReceiver.start();
      try {
        const sub = await a.webhook('orders', receiver.url());
        await a.put(`/subscriptions/${sub.id}`, { handlerConfig: { url: other.url('/new') } }).expect(200);
        await a.put('/queues/orders', { maxAttempts: 1 }).expect(200);
        other.respond = 500;
        const id = await a.publish('orders', { n: 1 });
        await waitFor(async () => (await a.get('/dead-letters?topic=orders')).body.deadLetters.length === 1, 'a dead letter after one attempt');
        expect(other.deliveriesOf(id)).toHaveLength(1);
        expect(receiver.requests).toHaveLength(0);
        const [row] = await s.sql<{ max_retry_attempts: number }>(`SELECT max_retry_attempts FROM message_subscriptions WHERE id = $1`, [sub.id]);
        expect(row.max_retry_attempts).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('should drop instead of dead-lettering once the queue turns dead-lettering off', async () => {
      const sub = await a.webhook('orders', receiver.url());
      await a.put('/queues/orders', { deadLetter: false, maxAttempts: 1 }).expect(200);
      receiver.respond = 500;
      const id = await a.publish('orders', { n: 1 });
      await waitFor(async () => (await a.get(`/subscriptions/${sub.id}`)).body.stats.failed === 1, 'the failed attempt');
      await waitFor(async () => (await a.get(`/subscriptions/${sub.id}`)).body.stats.pending === 0, 'the message settled');
      expect(receiver.deliveriesOf(id)).toHaveLength(1);
      expect((await a.get('/dead-letters?topic=orders')).body.deadLetters).toEqual([]);
    });

    it('should trim acked messages at the queue\'s own retention', async () => {
      await a.webhook('orders', receiver.url());
      await a.put('/queues/orders', { retentionMs: 1000 }).expect(200);
      for (let n = 0; n < 3; n++) await a.publish('orders', { n });
      await waitFor(() => receiver.requests.length === 3, 'three deliveries');
      const stream = `${s.config.prefix}:{${s.tenant}.orders}`;
      expect(await s.redis.xlen(stream)).toBe(3);
      const sweeper = s.app.get(RetentionSweeper);
      await waitFor(async () => (await sweeper.sweep()).trimmed >= 0 && (await s.redis.xlen(stream)) === 0, 'the trim after one second', 10_000, 200);
    });

    it('should stop delivering and remove the consumer group when the subscription is deleted', async () => {
      const sub = await a.webhook('orders', receiver.url());
      const groups = () => s.redis.xinfo('GROUPS', `${s.config.prefix}:{${s.tenant}.orders}`) as Promise<unknown[][]>;
      expect((await groups()).length).toBe(1);
      await a.delete(`/subscriptions/${sub.id}`).expect(204);
      expect(await groups()).toEqual([]);
      await a.publish('orders', { n: 1 });
      await a.get(`/subscriptions/${sub.id}`).expect(404);
      expect(receiver.requests).toHaveLength(0);
    });
  });

  describe('CRUD and errors', () => {
    it('should never show the secret again, and list the tenant\'s subscriptions only', async () => {
      const sub = await a.webhook('orders', receiver.url());
      const got = await a.get(`/subscriptions/${sub.id}`).expect(200);
      expect(got.body.secret).toBeUndefined();
      expect(JSON.stringify(got.body)).not.toContain(sub.secret);
      const list = await a.get('/subscriptions?topic=orders').expect(200);
      expect(list.body.map((x: any) => x.id)).toEqual([sub.id]);
      expect(JSON.stringify(list.body)).not.toContain(sub.secret);
      const other = api(s, s.token({ tenant_id: 'other' }));
      expect((await other.get('/subscriptions')).body).toEqual([]);
    });

    it('should answer 403 for another tenant\'s subscription and 404 for an unknown one', async () => {
      const sub = await a.webhook('orders', receiver.url());
      const other = api(s, s.token({ tenant_id: 'other' }));
      for (const res of [await other.get(`/subscriptions/${sub.id}`), await other.post(`/subscriptions/${sub.id}/pause`), await other.delete(`/subscriptions/${sub.id}`)]) {
        expect([res.status, res.body.code]).toEqual([403, 'MQ_FORBIDDEN']);
      }
      const missing = await a.get('/subscriptions/00000000-0000-4000-8000-000000000000');
      expect([missing.status, missing.body.code]).toEqual([404, 'MQ_SUBSCRIPTION_NOT_FOUND']);
      expect((await a.get('/subscriptions/not-a-uuid')).status).toBe(400);
    });

    it('should register an external consumer group, and 409 for the same group twice', async () => {
      const res = await a.post('/subscriptions', { topic: 'orders', type: 'redis_consumer', consumerGroup: 'billing', startFrom: 'earliest' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ type: 'redis_consumer', consumerGroup: 'billing', consumerName: 'billing', topic: `${s.tenant}.orders`, startFrom: 'earliest' });
      expect(res.body.secret).toBeUndefined();
      const groups = (await s.redis.xinfo('GROUPS', `${s.config.prefix}:{${s.tenant}.orders}`)) as unknown[][];
      expect(groups.map(g => g[1])).toEqual(['billing']);
      const again = await a.post('/subscriptions', { topic: 'orders', type: 'redis_consumer', consumerGroup: 'billing' });
      expect([again.status, again.body.code]).toEqual([409, 'MQ_SUBSCRIPTION_EXISTS']);
      await a.delete(`/subscriptions/${res.body.id}`).expect(204);
      expect(await s.redis.xinfo('GROUPS', `${s.config.prefix}:{${s.tenant}.orders}`)).toEqual([]);
    });

    it('should enforce allowed_consumers and the admin role', async () => {
      await a.queue('private', { allowedConsumers: ['bob'] });
      const denied = await a.post('/subscriptions', { topic: 'private', type: 'webhook', handlerConfig: { url: receiver.url() } });
      expect([denied.status, denied.body.code]).toEqual([403, 'MQ_FORBIDDEN']);
      const asGroup = await a.post('/subscriptions', { topic: 'private', type: 'redis_consumer', consumerGroup: 'bob' });
      expect(asGroup.status).toBe(201);
      const bob = api(s, s.token({ sub: 'bob' }));
      expect((await bob.post('/subscriptions', { topic: 'private', type: 'webhook', handlerConfig: { url: receiver.url() } })).status).toBe(201);
      const reader = api(s, s.token({ roles: ['reader'] }));
      expect((await reader.post('/subscriptions', { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url() } })).status).toBe(403);
      expect((await reader.get('/subscriptions')).status).toBe(200);
    });

    it('should answer 400 for bad shapes', async () => {
      for (const body of [
        { topic: 'orders', type: 'webhook' },
        { topic: 'orders', type: 'webhook', handlerConfig: { url: 'ftp://x' } },
        { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url(), headers: { 'X-MQ-Signature': 'forged' } } },
        { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url(), timeoutMs: 5 } },
        { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url() }, consumerGroup: 'mine' },
        { topic: 'orders', type: 'redis_consumer' },
        { topic: 'orders', type: 'redis_consumer', consumerGroup: 'wh-fake' },
        { topic: 'orders', type: 'redis_consumer', consumerGroup: 'g', messageFilter: { headers: { a: 'b' } } },
        { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url() }, messageFilter: { payload: { a: { nested: 1 } } } },
        { topic: 'orders', type: 'queue' },
      ]) {
        const res = await a.post('/subscriptions', body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 'MQ_VALIDATION_FAILED']);
      }
      const missingQueue = await a.post('/subscriptions', { topic: 'nope', type: 'redis_consumer', consumerGroup: 'g' });
      expect(missingQueue.status).toBe(404);
    });
  });
});
