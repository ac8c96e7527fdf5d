import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: dead-letters API', () => {
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  let a: ReturnType<typeof api>;
  let ids: string[];

  /** Three messages dead-lettered by a failing webhook (one attempt each). */
  beforeEach(async () => {
    s = await startSampleApp();
    receiver = await WebhookReceiver.start();
    a = api(s);
    await a.queue('orders', { maxAttempts: 1 });
    await a.webhook('orders', receiver.url());
    receiver.respond = 503;
    ids = [];
    for (let n = 1; n <= 3; n++) ids.push(await a.publish('orders', { n }));
    await waitFor(async () => (await a.get('/dead-letters?topic=orders')).body.deadLetters?.length === 3, 'three dead letters');
    receiver.respond = 200;
  });

  afterEach(async () => {
    await s.close();
    await receiver.close();
  });

  it('should list dead letters oldest first, paged with count and after', async () => {
    const page1 = await a.get('/dead-letters?topic=orders&count=2').expect(200);
    expect(page1.body.deadLetters.map((d: any) => d.messageId)).toEqual(ids.slice(0, 2));
    expect(page1.body.next).toBe(page1.body.deadLetters[1].entryId);
    const page2 = await a.get(`/dead-letters?topic=orders&count=2&after=${page1.body.next}`).expect(200);
    expect(page2.body.deadLetters.map((d: any) => d.messageId)).toEqual([ids[2]]);
    expect(page2.body.next).toBeNull();
    expect(page1.body.deadLetters[0]).toMatchObject({ queue: 'orders', attempts: 1, error: expect.stringContaining('HTTP 503'), data: { n: 1 } });
    // Only the first line of the error: the stack names the service's files.
    expect(page1.body.deadLetters[0].error).not.toContain('\n');
  });

  it('should replay selected dead letters to the webhook, then all the others', async () => {
    const { body } = await a.get('/dead-letters?topic=orders');
    const first = body.deadLetters[0];
    const one = await a.post('/dead-letters/retry', { topic: 'orders', ids: [first.entryId] });
    expect([one.status, one.body]).toEqual([200, { replayed: 1 }]);
    await waitFor(() => receiver.deliveriesOf(ids[0]).length === 2, 'the replayed delivery');
    // A replay is a fresh first attempt of the group that failed it.
    expect(receiver.deliveriesOf(ids[0])[1].headers['x-mq-attempt']).toBe('1');
    expect((await a.get('/dead-letters?topic=orders')).body.deadLetters.map((d: any) => d.messageId)).toEqual(ids.slice(1));
    const rest = await a.post('/dead-letters/retry', { topic: 'orders' });
    expect(rest.body).toEqual({ replayed: 2 });
    await waitFor(() => ids.every(id => receiver.deliveriesOf(id).length === 2), 'every replayed delivery');
    expect((await a.get('/dead-letters?topic=orders')).body.deadLetters).toEqual([]);
    const audit = await s.sql<{ action: string; details: any }>(`SELECT action, details FROM mq_admin_audit_log WHERE action = 'dead_letters.retry' ORDER BY created_at`);
    expect(audit.map(r => r.details.replayed)).toEqual([1, 2]);
  });

  it('should purge the dead letters', async () => {
    const res = await a.delete('/dead-letters?topic=orders');
    expect([res.status, res.body]).toEqual([200, { purged: 3 }]);
    expect((await a.get('/dead-letters?topic=orders')).body.deadLetters).toEqual([]);
  });

  it('should answer 400, 403 and 404 as appropriate', async () => {
    const cases: [Promise<any>, number, string][] = [
      [a.get('/dead-letters'), 400, 'MQ_VALIDATION_FAILED'],
      [a.get('/dead-letters?topic=orders&count=0'), 400, 'MQ_VALIDATION_FAILED'],
      [a.get('/dead-letters?topic=orders&after=abc'), 400, 'MQ_VALIDATION_FAILED'],
      // Beyond Redis' 64-bit id parts: refused here rather than by Redis.
      [a.get('/dead-letters?topic=orders&after=99999999999999999999-0'), 400, 'MQ_VALIDATION_FAILED'],
      [a.post('/dead-letters/retry', { topic: 'orders', ids: ['not-an-id'] }), 400, 'MQ_VALIDATION_FAILED'],
      [a.post('/dead-letters/retry', { topic: 'orders', ids: [] }), 400, 'MQ_VALIDATION_FAILED'],
      [a.get('/dead-letters?topic=nope'), 404, 'MQ_QUEUE_NOT_FOUND'],
      [api(s, s.token({ tenant_id: 'other' })).get('/dead-letters?topic=orders'), 404, 'MQ_QUEUE_NOT_FOUND'],
      [api(s, s.token({ roles: [] })).post('/dead-letters/retry', { topic: 'orders' }), 403, 'MQ_FORBIDDEN'],
      [api(s, s.token({ roles: [] })).delete('/dead-letters?topic=orders'), 403, 'MQ_FORBIDDEN'],
    ];
    for (const [call, status, code] of cases) {
      const res = await call;
      expect([res.status, res.body.code]).toEqual([status, code]);
    }
    const reader = await api(s, s.token({ roles: [] })).get('/dead-letters?topic=orders');
    expect(reader.status).toBe(200);
  });
});
