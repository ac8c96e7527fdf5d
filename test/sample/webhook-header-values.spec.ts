import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A webhook's `headers` become HTTP header values at every delivery. One the HTTP client cannot
 * send must be refused when the subscription is made or changed (400), not accepted and then
 * fail every delivery — which dead-letters (or, without dead-lettering, drops) every message.
 */
describe('Sample: webhook header values', () => {
  let s: SampleHarness;
  let a: ReturnType<typeof api>;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    s = await startSampleApp();
    a = api(s);
    receiver = await WebhookReceiver.start();
    await a.queue('orders');
  });
  afterAll(async () => {
    await s.close();
    await receiver.close();
  });

  // Outside HTTP's field-value (visible ASCII, space, tab, obs-text 0x80-0xFF): undici refuses them.
  const unsendable = ['price in €', 'emoji 🙂', 'line\u2028separator', 'lone \ud800 surrogate'];

  it('should refuse a value no HTTP request can carry, on creation and on update', async () => {
    for (const value of unsendable) {
      const res = await a.post('/subscriptions', { topic: 'orders', type: 'webhook', handlerConfig: { url: receiver.url(), headers: { 'x-note': value } } });
      expect([value, res.status, res.body.code]).toEqual([value, 400, 'MQ_VALIDATION_FAILED']);
    }
    const sub = await a.webhook('orders', receiver.url());
    for (const value of unsendable) {
      const res = await a.put(`/subscriptions/${sub.id}`, { handlerConfig: { url: receiver.url(), headers: { 'x-note': value } } });
      expect([value, res.status, res.body.code]).toEqual([value, 400, 'MQ_VALIDATION_FAILED']);
    }
    expect((await a.get('/subscriptions')).body).toHaveLength(1);
    await a.delete(`/subscriptions/${sub.id}`).expect(204);
  });

  it('should still deliver values HTTP allows (visible ASCII, tab, Latin-1)', async () => {
    const sub = await a.webhook('orders', receiver.url('/latin1'), { handlerConfig: { headers: { 'x-note': 'caf\u00e9\tok' } } });
    const id = await a.publish('orders', { n: 1 });
    const delivered = await waitFor(() => receiver.deliveriesOf(id)[0], 'the delivery');
    expect(delivered.headers['x-note']).toBe('caf\u00e9\tok');
    await a.delete(`/subscriptions/${sub.id}`).expect(204);
  });
});
