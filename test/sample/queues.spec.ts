import request from 'supertest';
import { JwtService } from '@nestjs/jwt';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';

const API = '/api/v1/mq';

describe('Sample: queues API', () => {
  let s: SampleHarness;
  let admin: string;

  beforeEach(async () => {
    s = await startSampleApp({ maxQueuesPerTenant: 3 });
    admin = `Bearer ${s.token()}`;
  });

  afterEach(async () => {
    await s.close();
  });

  function createQueue(body: Record<string, unknown>, auth = admin) {
    return request(s.http).post(`${API}/queues`).set('Authorization', auth).send(body);
  }

  describe('POST /queues', () => {
    it('should create a queue in the caller\'s tenant, mapped to the topic <tenant>.<name>', async () => {
      const res = await createQueue({ name: 'orders', maxAttempts: 3, retryDelayMs: 50, maxLength: 10, allowedProducers: ['alice'] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'orders',
        topic: `${s.tenant}.orders`,
        maxAttempts: 3,
        retryDelayMs: 50,
        retryBackoff: 'exponential',
        maxLength: 10,
        deadLetter: true,
        retentionMs: 604_800_000,
        allowedProducers: ['alice'],
        allowedConsumers: [],
      });
      const [row] = await s.sql(`SELECT name, tenant_id FROM message_topics WHERE tenant_id = $1`, [s.tenant]);
      expect(row).toEqual({ name: `${s.tenant}.orders`, tenant_id: s.tenant });
    });

    it('should answer 409 MQ_QUEUE_EXISTS for a duplicate name', async () => {
      await createQueue({ name: 'orders' }).expect(201);
      const res = await createQueue({ name: 'orders' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ code: 'MQ_QUEUE_EXISTS', message: 'Queue "orders" already exists' });
    });

    it('should let two tenants use the same name, each seeing only its own queue', async () => {
      const other = `Bearer ${s.token({ tenant_id: 'other-tenant' })}`;
      await createQueue({ name: 'orders', description: 'mine' }).expect(201);
      await createQueue({ name: 'orders', description: 'theirs' }, other).expect(201);
      const mine = await request(s.http).get(`${API}/queues`).set('Authorization', admin).expect(200);
      expect(mine.body.map((q: any) => [q.name, q.description, q.topic])).toEqual([['orders', 'mine', `${s.tenant}.orders`]]);
      const theirs = await request(s.http).get(`${API}/queues/orders`).set('Authorization', other).expect(200);
      expect(theirs.body.topic).toBe('other-tenant.orders');
    });

    it('should answer 400 MQ_VALIDATION_FAILED with every bad field', async () => {
      const res = await createQueue({ name: 'Bad Name!', maxAttempts: 0, retryBackoff: 'linear', unknown: 1 });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MQ_VALIDATION_FAILED');
      expect(res.body.details.map((d: any) => d.field).sort()).toEqual(['maxAttempts', 'name', 'retryBackoff', 'unknown']);
    });

    it('should answer 429 MQ_QUOTA_EXCEEDED past the tenant quota', async () => {
      for (const name of ['a', 'b', 'c']) await createQueue({ name }).expect(201);
      const res = await createQueue({ name: 'd' });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('MQ_QUOTA_EXCEEDED');
    });

    it('should answer 403 MQ_FORBIDDEN without the admin role', async () => {
      const res = await createQueue({ name: 'orders' }, `Bearer ${s.token({ roles: ['publisher'] })}`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ code: 'MQ_FORBIDDEN', message: 'This operation needs the role(s): admin' });
    });

    it('should write the mutation to the audit log', async () => {
      await createQueue({ name: 'orders' }).expect(201);
      const rows = await s.sql(`SELECT actor, tenant_id, action, resource_type, resource_id, created_at FROM mq_admin_audit_log`);
      expect(rows).toEqual([
        expect.objectContaining({ actor: 'alice', tenant_id: s.tenant, action: 'queue.create', resource_type: 'queue', resource_id: 'orders' }),
      ]);
      expect(rows[0].created_at).toBeInstanceOf(Date);
    });
  });

  describe('authentication', () => {
    const cases: [string, () => string | undefined][] = [
      ['no token', () => undefined],
      ['a malformed token', () => 'Bearer not-a-jwt'],
      ['a token signed with another secret', () => `Bearer ${new JwtService({ secret: 'wrong' }).sign({ sub: 'a', tenant_id: 't', roles: [] })}`],
      ['an expired token', () => `Bearer ${new JwtService({ secret: s.config.jwt.secret! }).sign({ sub: 'a', tenant_id: 't', roles: [], exp: Math.floor(Date.now() / 1000) - 10 })}`],
      ['an unsigned ("none") token', () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'a', tenant_id: 't', roles: ['admin'] })}.`],
      ['a token without tenant_id', () => `Bearer ${new JwtService({ secret: s.config.jwt.secret! }).sign({ sub: 'a', roles: ['admin'] })}`],
    ];
    it.each(cases)('should answer 401 MQ_UNAUTHORIZED for %s', async (_what, auth) => {
      const req = request(s.http).get(`${API}/queues`);
      const header = auth();
      if (header) req.set('Authorization', header);
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('MQ_UNAUTHORIZED');
    });

    it('should refuse the reserved tenant id "platform" with 403', async () => {
      const res = await request(s.http).get(`${API}/queues`).set('Authorization', `Bearer ${s.token({ tenant_id: 'platform' })}`);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('MQ_FORBIDDEN');
    });
  });

  describe('GET /queues/{name}', () => {
    it('should show live stats and 404 MQ_QUEUE_NOT_FOUND for an unknown queue, also another tenant\'s', async () => {
      await createQueue({ name: 'orders' }).expect(201);
      await request(s.http).post(`${API}/publish`).set('Authorization', admin).send({ topic: 'orders', payload: { n: 1 } }).expect(202);
      const res = await request(s.http).get(`${API}/queues/orders`).set('Authorization', admin).expect(200);
      expect(res.body.stats).toEqual({ length: 1, delayed: 0, deadLetters: 0, groups: [] });
      const missing = await request(s.http).get(`${API}/queues/nope`).set('Authorization', admin);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ code: 'MQ_QUEUE_NOT_FOUND', message: 'Queue "nope" not found' });
      const otherTenant = await request(s.http).get(`${API}/queues/orders`).set('Authorization', `Bearer ${s.token({ tenant_id: 'intruder' })}`);
      expect(otherTenant.status).toBe(404);
    });

    it('should answer 400 for a malformed name', async () => {
      const res = await request(s.http).get(`${API}/queues/${encodeURIComponent('NOT valid')}`).set('Authorization', admin);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MQ_VALIDATION_FAILED');
    });
  });

  describe('PUT /queues/{name}', () => {
    it('should change settings, and a new max length applies to the next publish', async () => {
      await createQueue({ name: 'orders' }).expect(201);
      const publish = () => request(s.http).post(`${API}/publish`).set('Authorization', admin).send({ topic: 'orders', payload: {} });
      await publish().expect(202);
      const res = await request(s.http)
        .put(`${API}/queues/orders`)
        .set('Authorization', admin)
        .send({ maxLength: 1, retentionMs: 60_000, maxAttempts: 7, deadLetter: false, allowedConsumers: ['billing'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ maxLength: 1, retentionMs: 60_000, maxAttempts: 7, deadLetter: false, allowedConsumers: ['billing'] });
      const full = await publish();
      expect(full.status).toBe(429);
      expect(full.body).toMatchObject({ code: 'MQ_QUOTA_EXCEEDED', details: { maxLength: 1, backlog: 1 } });
      await request(s.http).put(`${API}/queues/orders`).set('Authorization', admin).send({ maxLength: null }).expect(200);
      await publish().expect(202);
    });

    it('should refuse null for a setting that cannot be cleared, and 404 for an unknown queue', async () => {
      await createQueue({ name: 'orders' }).expect(201);
      const res = await request(s.http).put(`${API}/queues/orders`).set('Authorization', admin).send({ maxAttempts: null });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MQ_VALIDATION_FAILED');
      await request(s.http).put(`${API}/queues/nope`).set('Authorization', admin).send({ maxAttempts: 2 }).expect(404);
    });
  });

  describe('POST /queues/{name}/purge and DELETE /queues/{name}', () => {
    it('should purge the messages, then delete the queue and every key of its topic', async () => {
      await createQueue({ name: 'orders' }).expect(201);
      for (let i = 0; i < 3; i++) {
        await request(s.http).post(`${API}/publish`).set('Authorization', admin).send({ topic: 'orders', payload: { i } }).expect(202);
      }
      const purged = await request(s.http).post(`${API}/queues/orders/purge`).set('Authorization', admin).expect(200);
      expect(purged.body).toEqual({ removed: 3 });
      expect(await s.redis.xlen(`${s.config.prefix}:{${s.tenant}.orders}`)).toBe(0);
      await request(s.http).delete(`${API}/queues/orders`).set('Authorization', admin).expect(204);
      expect(await s.redis.exists(`${s.config.prefix}:{${s.tenant}.orders}`)).toBe(0);
      await request(s.http).get(`${API}/queues/orders`).set('Authorization', admin).expect(404);
      const actions = await s.sql<{ action: string }>(`SELECT action FROM mq_admin_audit_log ORDER BY created_at`);
      expect(actions.map(a => a.action)).toEqual(['queue.create', 'queue.purge', 'queue.delete']);
    });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
