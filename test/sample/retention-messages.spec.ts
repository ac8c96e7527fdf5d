import { RetentionSweeper } from '../../sample/runtime/retention-sweeper.service.js';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: message lookup and retention of records', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    s = await startSampleApp({ retention: { recordsMs: 7 * 86_400_000, auditMs: 90 * 86_400_000, deadLettersMs: 3_000 } });
    receiver = await WebhookReceiver.start();
    a = api(s);
  });

  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('should show a message with its consumption history, in its tenant only', async () => {
    await a.queue('orders', { maxAttempts: 2, retryDelayMs: 50 });
    const sub = await a.webhook('orders', receiver.url());
    let calls = 0;
    receiver.respond = () => (++calls === 1 ? 500 : 200);
    const id = await a.publish('orders', { team: { constructor: 'Ferrari' } }, { key: 'k1', headers: { 'x-trace': 't' } });
    const found = await waitFor(async () => {
      const res = await a.get(`/messages/${id}`);
      return res.status === 200 && res.body.consumptions.length === 2 ? res : undefined;
    }, 'the message record with two consumptions');
    const body = found!.body;
    expect(body).toMatchObject({
      messageId: id,
      queue: 'orders',
      key: 'k1',
      headers: { 'x-trace': 't', 'x-tenant-id': s.tenant },
      payload: { team: { constructor: 'Ferrari' } },
      producerId: 'alice',
    });
    expect(body.consumptions).toEqual([
      expect.objectContaining({ group: sub.consumerGroup, subscriptionId: sub.id, status: 'retrying', attempt: 1, error: expect.stringContaining('HTTP 500') }),
      expect.objectContaining({ group: sub.consumerGroup, subscriptionId: sub.id, status: 'success', attempt: 2 }),
    ]);
    const other = await api(s, s.token({ tenant_id: 'other' })).get(`/messages/${id}`);
    expect([other.status, other.body.code]).toEqual([404, 'MQ_MESSAGE_NOT_FOUND']);
    expect((await a.get('/messages/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await a.get('/messages/not-a-uuid')).status).toBe(400);
  });

  it('should prune records and audit rows by age, keeping the recent ones', async () => {
    await a.queue('aged');
    await a.webhook('aged', receiver.url('/aged'));
    receiver.respond = 200;
    const old = await a.publish('aged', 1);
    const recent = await a.publish('aged', 2);
    await waitFor(async () => (await s.sql(`SELECT 1 FROM consumption_records WHERE message_id = ANY($1)`, [[old, recent]])).length === 2, 'both consumption records');
    await waitFor(async () => (await s.sql(`SELECT 1 FROM message_records WHERE message_id = ANY($1)`, [[old, recent]])).length === 2, 'both message records');
    await s.sql(`UPDATE consumption_records SET consumed_at = now() - interval '8 days' WHERE message_id = $1`, [old]);
    await s.sql(`UPDATE message_records SET published_at = now() - interval '8 days' WHERE message_id = $1`, [old]);
    const [{ count: auditRows }] = await s.sql<{ count: number }>(`SELECT count(*)::int AS count FROM mq_admin_audit_log`);
    await s.sql(`UPDATE mq_admin_audit_log SET created_at = now() - interval '91 days' WHERE resource_id = 'orders'`);
    const [{ count: oldAudit }] = await s.sql<{ count: number }>(`SELECT count(*)::int AS count FROM mq_admin_audit_log WHERE resource_id = 'orders'`);

    const result = await s.app.get(RetentionSweeper).sweep();
    expect(result).toMatchObject({ records: 2, auditRows: oldAudit });
    expect(await s.sql(`SELECT message_id FROM consumption_records WHERE message_id = ANY($1)`, [[old, recent]])).toEqual([{ message_id: recent }]);
    expect(await s.sql(`SELECT message_id FROM message_records WHERE message_id = ANY($1)`, [[old, recent]])).toEqual([{ message_id: recent }]);
    const [{ count: left }] = await s.sql<{ count: number }>(`SELECT count(*)::int AS count FROM mq_admin_audit_log`);
    expect(left).toBe(auditRows - oldAudit);
    expect((await a.get(`/messages/${old}`)).status).toBe(404);
    expect((await a.get(`/messages/${recent}`)).status).toBe(200);
  });

  it('should prune dead letters by age with their refs, so the stream can be trimmed again', async () => {
    await a.queue('failing', { maxAttempts: 1 });
    await a.webhook('failing', receiver.url('/failing'));
    receiver.respond = r => (r.path === '/failing' ? 500 : 200);
    const stream = `${s.config.prefix}:{${s.tenant}.failing}`;
    await a.publish('failing', 1);
    await waitFor(async () => (await s.redis.xlen(`${stream}:dlq`)) === 1, 'the dead letter');
    const sweeper = s.app.get(RetentionSweeper);
    // Younger than the retention (3 s): kept.
    expect((await sweeper.sweep()).deadLetters).toBe(0);
    expect(await s.redis.xlen(`${stream}:dlq`)).toBe(1);
    expect(await s.redis.zcard(`${stream}:dlq-refs`)).toBe(1);
    await waitFor(async () => (await sweeper.sweep()).deadLetters === 1, 'the dead letter to age out', 10_000, 250);
    expect(await s.redis.xlen(`${stream}:dlq`)).toBe(0);
    expect(await s.redis.zcard(`${stream}:dlq-refs`)).toBe(0);
  });
});
