import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: publish API', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  let a: ReturnType<typeof api>;

  beforeEach(async () => {
    s = await startSampleApp();
    receiver = await WebhookReceiver.start();
    a = api(s);
    await a.queue('orders');
  });

  afterEach(async () => {
    await s.close();
    await receiver.close();
  });

  function stream(queue = 'orders') {
    return `${s.config.prefix}:{${s.tenant}.${queue}}`;
  }

  async function entries(queue = 'orders'): Promise<Record<string, string>[]> {
    const raw = (await s.redis.xrange(stream(queue), '-', '+')) as [string, string[]][];
    return raw.map(([, fields]) => Object.fromEntries(fields.flatMap((f, i) => (i % 2 ? [] : [[f, fields[i + 1]]]))));
  }

  describe('POST /publish', () => {
    it('should write the message with its key, headers and the tenant and producer headers', async () => {
      const res = await a.post('/publish', { topic: 'orders', payload: { orderId: 42 }, key: 'customer-7', headers: { 'x-correlation-id': 'c-1' } });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ messageId: expect.stringMatching(/^[0-9a-f-]{36}$/), queue: 'orders' });
      const [entry] = await entries();
      expect(entry.id).toBe(res.body.messageId);
      expect(JSON.parse(entry.data)).toEqual({ orderId: 42 });
      expect(entry.key).toBe('customer-7');
      expect(JSON.parse(entry.headers)).toEqual({ 'x-correlation-id': 'c-1', 'x-tenant-id': s.tenant, 'x-producer-id': 'alice' });
    });

    it('should publish a deduplicated message once and answer the first id again', async () => {
      const first = await a.publish('orders', { n: 1 }, { deduplicationId: 'order-42' });
      const second = await a.publish('orders', { n: 2 }, { deduplicationId: 'order-42' });
      expect(second).toBe(first);
      expect(await entries()).toHaveLength(1);
    });

    it('should answer 404 for a queue of another tenant (queue names are per tenant)', async () => {
      const res = await api(s, s.token({ tenant_id: 'intruder' })).post('/publish', { topic: 'orders', payload: {} });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('MQ_QUEUE_NOT_FOUND');
    });

    it('should answer 403 when the caller is not an allowed producer', async () => {
      await a.queue('restricted', { allowedProducers: ['billing-service'] });
      const denied = await a.post('/publish', { topic: 'restricted', payload: {} });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ code: 'MQ_FORBIDDEN', message: '"alice" is not an allowed producer of queue "restricted"' });
      const allowed = api(s, s.token({ sub: 'billing-service', roles: [] }));
      expect((await allowed.post('/publish', { topic: 'restricted', payload: {} })).status).toBe(202);
    });

    it('should answer 413 MQ_PAYLOAD_TOO_LARGE above 1 MiB and accept a payload just below', async () => {
      const big = await a.post('/publish', { topic: 'orders', payload: 'x'.repeat(1024 * 1024) });
      expect(big.status).toBe(413);
      expect(big.body).toEqual({ code: 'MQ_PAYLOAD_TOO_LARGE', message: 'The request body is larger than 1048576 bytes', details: { limitBytes: 1048576 } });
      const fits = await a.post('/publish', { topic: 'orders', payload: 'x'.repeat(1024 * 1024 - 100) });
      expect(fits.status).toBe(202);
    });

    it('should answer 400 for malformed JSON, a missing payload, reserved or bad headers', async () => {
      const malformed = await a.post('/publish').set('Content-Type', 'application/json').send('{"topic":');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ code: 'MQ_VALIDATION_FAILED', message: 'The body is not valid JSON' });
      for (const body of [
        { topic: 'orders' },
        { topic: 'orders', payload: 1, headers: { 'x-tenant-id': 'someone-else' } },
        { topic: 'orders', payload: 1, headers: { ok: 5 } },
        { topic: 'orders', payload: 1, headers: 'nope' },
        { topic: '../etc', payload: 1 },
      ]) {
        const res = await a.post('/publish', body);
        expect([res.status, res.body.code]).toEqual([400, 'MQ_VALIDATION_FAILED']);
      }
    });

    it('should answer 400 (not a stack overflow) for JSON nested deeper than 64 levels', async () => {
      const ok = await a.post('/publish').set('Content-Type', 'application/json').send(`{"topic":"orders","payload":${'['.repeat(60)}${']'.repeat(60)}}`);
      expect(ok.status).toBe(202);
      for (const depth of [65, 10_000, 100_000]) {
        const res = await a.post('/publish').set('Content-Type', 'application/json').send(`{"topic":"orders","payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
        expect([depth, res.status, res.body.code]).toEqual([depth, 400, 'MQ_VALIDATION_FAILED']);
      }
    });

    it('should answer 429 MQ_QUOTA_EXCEEDED when the queue is at its max length', async () => {
      await a.queue('small', { maxLength: 2 });
      await a.publish('small', 1);
      await a.publish('small', 2);
      const res = await a.post('/publish', { topic: 'small', payload: 3 });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('MQ_QUOTA_EXCEEDED');
      expect(await entries('small')).toHaveLength(2);
    });
  });

  describe('POST /publish/batch', () => {
    it('should publish every message in order and answer their ids', async () => {
      const res = await a.post('/publish/batch', {
        topic: 'orders',
        messages: [{ payload: { n: 1 } }, { payload: { n: 2 }, key: 'k' }, { payload: { n: 3 }, headers: { h: 'v' } }],
      });
      expect(res.status).toBe(202);
      expect(res.body.messageIds).toHaveLength(3);
      const written = await entries();
      expect(written.map(e => e.id)).toEqual(res.body.messageIds);
      expect(written.map(e => JSON.parse(e.data).n)).toEqual([1, 2, 3]);
    });

    it('should answer 400 for an empty batch or a bad message, naming the field', async () => {
      expect((await a.post('/publish/batch', { topic: 'orders', messages: [] })).status).toBe(400);
      const res = await a.post('/publish/batch', { topic: 'orders', messages: [{ payload: 1 }, { key: 'no payload' }] });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'messages.1.payload', errors: expect.any(Array) }]);
    });

    it('should answer 429 when the batch does not fit the max length', async () => {
      await a.queue('small', { maxLength: 1 });
      const res = await a.post('/publish/batch', { topic: 'small', messages: [{ payload: 1 }, { payload: 2 }] });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('MQ_QUOTA_EXCEEDED');
    });
  });

  describe('delayed and scheduled', () => {
    it('should deliver a delayed message not before delayMs, and shortly after', async () => {
      await a.webhook('orders', receiver.url());
      const before = Date.now();
      const res = await a.post('/publish/delayed', { topic: 'orders', payload: { late: true }, delayMs: 700 });
      expect(res.status).toBe(202);
      const due = Date.parse(res.body.deliverAt);
      expect(due).toBeGreaterThanOrEqual(before + 700);
      expect(await s.redis.zcard(`${stream()}:delayed`)).toBe(1);
      await waitFor(() => receiver.deliveriesOf(res.body.messageId).length === 1, 'the delayed delivery');
      const [delivery] = receiver.deliveriesOf(res.body.messageId);
      expect(delivery.at).toBeGreaterThanOrEqual(due);
      expect(delivery.at - due).toBeLessThan(1_500);
      expect(delivery.json.data).toEqual({ late: true });
    });

    it('should deliver a scheduled message at deliverAt, also through /topics/{name}/publish', async () => {
      await a.webhook('orders', receiver.url());
      const at = new Date(Date.now() + 800).toISOString();
      const scheduled = await a.post('/publish/scheduled', { topic: 'orders', payload: { via: 'scheduled' }, deliverAt: at });
      const viaTopic = await a.post('/topics/orders/publish', { payload: { via: 'topic' }, deliverAt: at });
      expect([scheduled.status, viaTopic.status]).toEqual([202, 202]);
      expect(scheduled.body.deliverAt).toBe(at);
      await waitFor(() => receiver.requests.length === 2, 'both scheduled deliveries');
      for (const r of receiver.requests) {
        expect(r.at).toBeGreaterThanOrEqual(Date.parse(at));
        expect(r.at - Date.parse(at)).toBeLessThan(1_500);
      }
      expect(receiver.requests.map(r => r.json.data.via).sort()).toEqual(['scheduled', 'topic']);
    });

    it('should answer 400 for a bad delay, a bad date, or both at once', async () => {
      for (const [path, body] of [
        ['/publish/delayed', { topic: 'orders', payload: 1, delayMs: 0 }],
        ['/publish/delayed', { topic: 'orders', payload: 1, delayMs: 'soon' }],
        ['/publish/scheduled', { topic: 'orders', payload: 1, deliverAt: 'tomorrow' }],
        ['/publish/scheduled', { topic: 'orders', payload: 1, deliverAt: '2999-01-01T00:00:00Z' }],
        ['/topics/orders/publish', { payload: 1, delayMs: 10, deliverAt: new Date().toISOString() }],
      ] as const) {
        const res = await a.post(path, body);
        expect([path, res.status, res.body.code]).toEqual([path, 400, 'MQ_VALIDATION_FAILED']);
      }
    });
  });
});
