import { randomBytes } from 'node:crypto';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

/**
 * A webhook URL can hold the receiver's credentials as well as its headers can: a token in the
 * query string (`?token=…`), a secret path (Slack-style `/services/T…/B…/<secret>`), userinfo
 * (`https://user:pass@host/`, refused at creation but possible in older rows). Any token of the
 * tenant may read subscriptions, so a token without `admin` sees where a webhook points (scheme,
 * host, port), never the rest of its URL.
 */
describe('Sample: webhook URLs are shown in full to admins only', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  let queue: string;

  beforeAll(async () => {
    s = await startSampleApp();
    receiver = await WebhookReceiver.start();
    queue = `orders-${randomBytes(3).toString('hex')}`;
    await api(s).queue(queue);
  });
  afterAll(async () => {
    await s.close();
    await receiver.close();
  });

  const reader = () => api(s, s.token({ sub: 'viewer', roles: ['reader'] }));

  it('should hide the path, query and fragment of the URL from a token without the admin role, in the list and by id', async () => {
    const secret = randomBytes(8).toString('hex');
    const url = receiver.url(`/services/T0/B0/${secret}-path?token=${secret}-query&v=2#${secret}-fragment`);
    const sub = await api(s).webhook(queue, url);
    const origin = new URL(receiver.url()).origin;
    for (const res of [await reader().get(`/subscriptions/${sub.id}`), await reader().get('/subscriptions'), await reader().get(`/subscriptions?topic=${queue}`)]) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    expect((await reader().get(`/subscriptions/${sub.id}`)).body.handlerConfig.url).toBe(`${origin}/[redacted]?[redacted]#[redacted]`);
    // The admin who set it still reads it back.
    expect((await api(s).get(`/subscriptions/${sub.id}`)).body.handlerConfig.url).toBe(url);
    await api(s).delete(`/subscriptions/${sub.id}`).expect(204);
  });

  it('should leave a bare origin as it is', async () => {
    const sub = await api(s).webhook(queue, receiver.url('/'));
    expect((await reader().get(`/subscriptions/${sub.id}`)).body.handlerConfig.url).toBe(receiver.url('/'));
    await api(s).delete(`/subscriptions/${sub.id}`).expect(204);
  });

  it('should hide userinfo kept in an older row', async () => {
    const sub = await api(s).webhook(queue, receiver.url('/in'));
    const password = randomBytes(8).toString('hex');
    const withUserinfo = receiver.url('/in').replace('http://', `http://hook-user:${password}@`);
    await s.sql(`UPDATE message_subscriptions SET handler_config = jsonb_set(handler_config, '{url}', to_jsonb($1::text)) WHERE id = $2`, [withUserinfo, sub.id]);
    const res = await reader().get(`/subscriptions/${sub.id}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(password);
    expect(JSON.stringify(res.body)).not.toContain('hook-user');
    expect(res.body.handlerConfig.url).toBe(`http://[redacted]@${new URL(receiver.url()).host}/[redacted]`);
    await api(s).delete(`/subscriptions/${sub.id}`).expect(204);
  });
});
