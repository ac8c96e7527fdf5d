import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { getRedisStreamsClientToken, type ClientRedisStreams } from '../../lib/index.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: internal API and platform handlers', () => {
  let s: SampleHarness;

  beforeEach(async () => {
    s = await startSampleApp();
  });

  afterEach(async () => {
    await s.close();
  });

  /** A call to the internal API with this app's service token, another one, or none (`null`). */
  function internal(method: 'get' | 'post', path: string, token: string | null = s.config.internalServiceToken) {
    const req = request(s.http)[method](`/internal/mq${path}`);
    return token === null ? req : req.set('X-Service-Token', token);
  }

  it('should answer 401 without or with a wrong X-Service-Token, and not accept a user JWT instead', async () => {
    for (const res of [
      await internal('get', '/metrics', null),
      await internal('get', '/metrics', 'wrong'),
      await internal('get', '/metrics', `${s.config.internalServiceToken}x`),
      await internal('post', '/audit-logs', null).set('Authorization', `Bearer ${s.token()}`).send({}),
    ]) {
      expect([res.status, res.body.code]).toEqual([401, 'MQ_UNAUTHORIZED']);
    }
  });

  it('user.registered: should send a welcome notification, recorded once per message', async () => {
    const res = await internal('post', '/user-events').send({ type: 'user.registered', tenantId: 'acme', userId: 'u-1', email: 'ada@example.com', name: 'Ada' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ messageId: expect.any(String), topic: 'platform.user.registered' });
    const rows = await waitFor(async () => {
      const found = await s.sql(`SELECT message_id, tenant_id, user_id, channel, template, recipient, data FROM platform_notifications`);
      return found.length ? found : undefined;
    }, 'the welcome notification');
    expect(rows).toEqual([
      { message_id: res.body.messageId, tenant_id: 'acme', user_id: 'u-1', channel: 'email', template: 'welcome', recipient: 'ada@example.com', data: { name: 'Ada' } },
    ]);
  });

  it('payment.succeeded: should book the payment once, even when sent twice', async () => {
    const payment = { type: 'payment.succeeded', tenantId: 'acme', userId: 'u-1', paymentId: 'pay_1', amountMinor: 4999, currency: 'eur' };
    await internal('post', '/user-events').send(payment).expect(202);
    await internal('post', '/user-events').send(payment).expect(202);
    await waitFor(async () => {
      const [{ n }] = await s.sql<{ n: number }>(`SELECT count(*)::int AS n FROM consumption_records WHERE status = 'success'`);
      return n === 2;
    }, 'both messages handled');
    const rows = await s.sql(`SELECT tenant_id, payment_id, user_id, amount_minor, currency FROM platform_payments`);
    expect(rows).toEqual([{ tenant_id: 'acme', payment_id: 'pay_1', user_id: 'u-1', amount_minor: '4999', currency: 'EUR' }]);
  });

  it('audit-logs and notifications: should store the event and the notification', async () => {
    const audit = await internal('post', '/audit-logs').send({ tenantId: 'acme', actor: 'u-1', action: 'invoice.download', resource: 'invoice/1', details: { ip: '10.0.0.1' }, occurredAt: '2026-01-02T03:04:05Z' });
    const note = await internal('post', '/notifications').send({ tenantId: 'acme', channel: 'sms', template: 'otp', recipient: '+4900000', data: { code: '123456' } });
    expect([audit.status, note.status]).toEqual([202, 202]);
    const events = await waitFor(async () => {
      const found = await s.sql(`SELECT message_id, tenant_id, actor, action, resource, details, occurred_at FROM platform_audit_events`);
      return found.length ? found : undefined;
    }, 'the audit event');
    expect(events).toEqual([
      { message_id: audit.body.messageId, tenant_id: 'acme', actor: 'u-1', action: 'invoice.download', resource: 'invoice/1', details: { ip: '10.0.0.1' }, occurred_at: new Date('2026-01-02T03:04:05Z') },
    ]);
    await waitFor(async () => (await s.sql(`SELECT 1 FROM platform_notifications WHERE message_id = $1 AND template = 'otp'`, [note.body.messageId])).length === 1, 'the notification');
  });

  it('should answer 400 for invalid events', async () => {
    for (const [path, body] of [
      ['/user-events', { type: 'user.registered', tenantId: 'acme', userId: 'u-1' }],
      ['/user-events', { type: 'user.deleted', tenantId: 'acme', userId: 'u-1' }],
      ['/user-events', { type: 'payment.succeeded', tenantId: 'acme', paymentId: 'p', amountMinor: -1, currency: 'EUR' }],
      ['/user-events', { type: 'user.registered', tenantId: 'not a tenant', userId: 'u', email: 'a@b.co' }],
      ['/notifications', { tenantId: 'acme', channel: 'pigeon', template: 't', recipient: 'r' }],
      ['/audit-logs', { tenantId: 'acme', actor: 'a' }],
    ] as const) {
      const res = await internal('post', path).send(body);
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'MQ_VALIDATION_FAILED']);
    }
  });

  it('should report metrics of every tenant and of the platform topics, and a detailed health', async () => {
    await request(s.http).post('/api/v1/mq/queues').set('Authorization', `Bearer ${s.token({ tenant_id: 'one' })}`).send({ name: 'a' }).expect(201);
    await request(s.http).post('/api/v1/mq/queues').set('Authorization', `Bearer ${s.token({ tenant_id: 'two' })}`).send({ name: 'b' }).expect(201);
    const metrics = await internal('get', '/metrics').expect(200);
    expect(metrics.body.topics.map((t: any) => t.topic).sort()).toEqual([
      'one.a', 'platform.audit.log', 'platform.notification.requested', 'platform.payment.succeeded', 'platform.user.registered', 'two.b',
    ]);
    expect(metrics.body.consumers.filter((c: any) => c.type === 'platform')).toHaveLength(4);
    const health = await internal('get', '/health-detailed').expect(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      checks: { status: 'ok' },
      readLoops: expect.arrayContaining([expect.objectContaining({ topic: 'platform.user.registered', group: s.config.group, alive: true })]),
      webhookConsumers: [],
      queues: 2,
      recorder: expect.objectContaining({ buffered: expect.any(Number) }),
    });
  });

  it('should dead-letter a malformed platform event at once, without retrying', async () => {
    // Published directly, as a service that bypasses the internal API's validation could.
    const client = s.app.get<ClientRedisStreams>(getRedisStreamsClientToken());
    await lastValueFrom(client.emit('platform.payment.succeeded', { tenantId: 'acme' }));
    const dlq = `${s.config.prefix}:{platform.payment.succeeded}:dlq`;
    await waitFor(async () => (await s.redis.xlen(dlq)) === 1, 'the dead letter');
    const [[, fields]] = (await s.redis.xrange(dlq, '-', '+')) as [string, string[]][];
    expect(fields[fields.indexOf('dlq.attempts') + 1]).toBe('1');
    expect(fields[fields.indexOf('dlq.error') + 1]).toContain('malformed event: missing paymentId, currency');
  });
});
