import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

/**
 * A webhook's `headers` carry the receiver's credentials (the API's own example:
 * `authorization: Bearer receiver-token`). Any token of the tenant may read subscriptions, so a
 * token without `admin` must see which headers are set, never their values.
 */
describe('Sample: webhook header values are shown to admins only', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    s = await startSampleApp();
    receiver = await WebhookReceiver.start();
    await api(s).queue('orders');
  });
  afterAll(async () => {
    await s.close();
    await receiver.close();
  });

  it('should hide header values from a token without the admin role, in the list and by id', async () => {
    const credential = 'Bearer receiver-token-4f1d9a';
    const sub = await api(s).webhook('orders', receiver.url(), { handlerConfig: { headers: { Authorization: credential, 'x-team': 'billing' } } });
    const reader = api(s, s.token({ sub: 'viewer', roles: ['reader'] }));
    for (const res of [await reader.get(`/subscriptions/${sub.id}`), await reader.get('/subscriptions'), await reader.get('/subscriptions?topic=orders')]) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain('receiver-token-4f1d9a');
      expect(JSON.stringify(res.body)).not.toContain('billing');
    }
    const seen = (await reader.get(`/subscriptions/${sub.id}`)).body.handlerConfig;
    expect(seen).toEqual({ url: `${new URL(receiver.url()).origin}/[redacted]`, headers: { authorization: '[redacted]', 'x-team': '[redacted]' }, timeoutMs: expect.any(Number) });
    // The admin who sets them still reads them back.
    expect((await api(s).get(`/subscriptions/${sub.id}`)).body.handlerConfig.headers).toEqual({ authorization: credential, 'x-team': 'billing' });
  });
});
