import request from 'supertest';
import { ServerRedisStreams, type RedisStreamsContext } from '../../lib/index.js';
import { API, api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { deferred, waitFor } from '../helpers/wait.js';

/** Compact JSON texts a tenant may publish: keys named like Object.prototype members, at any depth. */
const PAYLOADS = [
  '{"team":{"constructor":"Ferrari","name":"S"}}',
  '{"__proto__":{"polluted":"yes"},"a":{"b":{"__proto__":{"isAdmin":true},"toString":"x","valueOf":1}}}',
  '{"list":[{"hasOwnProperty":false,"constructor":{"prototype":{"polluted":1}}},"__proto__"],"isPrototypeOf":null}',
];

describe('Sample: payloads round-trip byte for byte', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    s = await startSampleApp();
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  afterEach(() => {
    // Nothing a payload carried may have reached a prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.prototype.toString).toBe(Object.prototype.toString);
  });

  /** Publishes the raw JSON text (not re-serialised by the test). */
  function publishRaw(path: string, body: string) {
    return request(s.http).post(`${API}${path}`).set('Authorization', api(s).auth).set('Content-Type', 'application/json').send(body);
  }

  it.each(PAYLOADS)('should store and deliver %s unchanged to a webhook', async payload => {
    const a = api(s);
    const queue = `q${Math.random().toString(36).slice(2, 8)}`;
    await a.queue(queue);
    await a.webhook(queue, receiver.url());
    const res = await publishRaw('/publish', `{"topic":"${queue}","payload":${payload}}`).expect(202);
    const delivery = await waitFor(() => receiver.deliveriesOf(res.body.messageId)[0], 'the delivery');
    // The signed body holds the payload text exactly as published.
    expect(delivery.body).toContain(`"data":${payload}`);
    const [[, fields]] = (await s.redis.xrange(`${s.config.prefix}:{${s.tenant}.${queue}}`, '-', '+')) as [string, string[]][];
    expect(fields[fields.indexOf('data') + 1]).toBe(payload);
  });

  it('should keep the keys in a batch too', async () => {
    const a = api(s);
    await a.queue('batch');
    await a.webhook('batch', receiver.url('/batch'));
    const res = await publishRaw('/publish/batch', `{"topic":"batch","messages":[{"payload":${PAYLOADS[0]}},{"payload":${PAYLOADS[1]}}]}`).expect(202);
    for (const [i, id] of (res.body.messageIds as string[]).entries()) {
      const delivery = await waitFor(() => receiver.deliveriesOf(id)[0], `delivery ${i}`);
      expect(delivery.body).toContain(`"data":${PAYLOADS[i]}`);
    }
  });

  it('should refuse (not silently drop) such keys outside payloads: headers, filters', async () => {
    const a = api(s);
    await a.queue('named');
    for (const [path, body] of [
      ['/publish', '{"topic":"named","payload":1,"headers":{"constructor":"x"}}'],
      ['/publish', '{"topic":"named","payload":1,"headers":{"toString":"x"}}'],
      ['/publish/batch', '{"topic":"named","messages":[{"payload":1,"headers":{"__proto__":"x"}}]}'],
      ['/subscriptions', `{"topic":"named","type":"webhook","handlerConfig":{"url":"${receiver.url()}"},"messageFilter":{"payload":{"constructor":"Ferrari"}}}`],
    ]) {
      const res = await publishRaw(path, body);
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'MQ_VALIDATION_FAILED']);
    }
  });

  it('should hand a Redis consumer the same keys as own properties, prototypes untouched', async () => {
    const a = api(s);
    await a.queue('consumed');
    await a.post('/subscriptions', { topic: 'consumed', type: 'redis_consumer', consumerGroup: 'ext', startFrom: 'earliest' }).expect(201);
    const received = deferred<unknown>();
    const server = s.app.get(ServerRedisStreams);
    await server.subscribe(`${s.tenant}.consumed`, async (data: unknown, _ctx: RedisStreamsContext) => received.resolve(data), { group: 'ext' });
    try {
      await publishRaw('/publish', `{"topic":"consumed","payload":${PAYLOADS[1]}}`).expect(202);
      const data = (await received.promise) as Record<string, any>;
      expect(JSON.stringify(data)).toBe(PAYLOADS[1]);
      expect(Object.hasOwn(data, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(data.a.b)).toBe(Object.prototype);
      expect(data.a.b.isAdmin).toBeUndefined();
    } finally {
      await server.unsubscribe(`${s.tenant}.consumed`, 'ext');
    }
  });
});
