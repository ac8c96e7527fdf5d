import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { API, api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';

/**
 * `traceparent` / `tracestate` travel in a message's headers to every consumer, whose tracing
 * parents its spans on them. The legitimate source is the caller's own HTTP request (W3C Trace
 * Context: an invalid one is ignored, as any W3C receiver does); a tenant may also set them per
 * message in `headers`, but only well-formed: a malformed `traceparent`, an oversized or malformed
 * `tracestate` is refused with 400 rather than handed to consumers.
 */
describe('Sample: trace context of published messages', () => {
  let s: SampleHarness;
  let a: ReturnType<typeof api>;
  let queue: string;

  beforeAll(async () => {
    s = await startSampleApp();
    a = api(s);
  });
  afterAll(async () => {
    await s.close();
  });
  beforeEach(async () => {
    queue = `traced-${randomBytes(3).toString('hex')}`;
    await a.queue(queue);
  });
  afterEach(async () => {
    await a.delete(`/queues/${queue}`).expect(204);
  });

  const traceId = () => randomBytes(16).toString('hex');
  const spanId = () => randomBytes(8).toString('hex');
  const traceparent = () => `00-${traceId()}-${spanId()}-01`;

  /** Headers of every message written to the queue: its stream entries, then its delayed messages. */
  async function headersOfEntries(): Promise<Record<string, string>[]> {
    const stream = `${s.config.prefix}:{${s.tenant}.${queue}}`;
    const entries = ((await s.redis.xrange(stream, '-', '+')) as [string, string[]][]).map(([, fields]) => fields);
    // A delayed message is a member of the delayed zset: its entry's field list as JSON.
    const delayed = (await s.redis.zrange(`${stream}:delayed`, '0', '-1')).map(member => JSON.parse(member) as string[]);
    return [...entries, ...delayed].map(fields => JSON.parse(fields[fields.indexOf('headers') + 1]));
  }

  /** Every publish endpoint, each sending one message with `headers`. */
  const endpoints: [string, (headers: Record<string, string>) => [string, object]][] = [
    ['POST /publish', headers => ['/publish', { topic: queue, payload: 1, headers }]],
    ['POST /publish/batch', headers => ['/publish/batch', { topic: queue, messages: [{ payload: 1 }, { payload: 2, headers }] }]],
    ['POST /publish/delayed', headers => ['/publish/delayed', { topic: queue, payload: 1, headers, delayMs: 60_000 }]],
    ['POST /publish/scheduled', headers => ['/publish/scheduled', { topic: queue, payload: 1, headers, deliverAt: new Date(Date.now() + 60_000).toISOString() }]],
    ['POST /topics/{name}/publish', headers => [`/topics/${queue}/publish`, { payload: 1, headers }]],
  ];

  describe('trace context in the message headers', () => {
    const malformed: [string, Record<string, string>][] = [
      ['not a traceparent', { traceparent: 'hello' }],
      ['a traceparent with trailing data', { traceparent: `${traceparent()}-extra` }],
      ['upper-case hex', { traceparent: `00-${traceId().toUpperCase()}-${spanId()}-01` }],
      ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${spanId()}-01` }],
      ['an all-zero parent id', { traceparent: `00-${traceId()}-${'0'.repeat(16)}-01` }],
      ['version ff', { traceparent: `ff-${traceId()}-${spanId()}-01` }],
      ['a traceparent with a line break', { traceparent: `${traceparent()}\n` }],
      ['another spelling of traceparent', { TraceParent: traceparent() }],
      ['a tracestate over 512 characters', { traceparent: traceparent(), tracestate: `k=${'v'.repeat(600)}` }],
      ['a tracestate of 33 members', { traceparent: traceparent(), tracestate: Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',') }],
      ['a tracestate with a bad key', { traceparent: traceparent(), tracestate: 'Vendor=v' }],
      ['a tracestate with a bad value', { traceparent: traceparent(), tracestate: 'vendor=a=b' }],
      ['a tracestate with a duplicate key', { traceparent: traceparent(), tracestate: 'vendor=a,vendor=b' }],
      ['a tracestate without traceparent', { tracestate: 'vendor=a' }],
    ];

    for (const [endpoint, bodyOf] of endpoints) {
      it(`${endpoint}: should refuse a malformed traceparent or a malformed or oversized tracestate with 400, writing nothing`, async () => {
        for (const [what, headers] of malformed) {
          const [path, body] = bodyOf(headers);
          const res = await a.post(path, body);
          expect([what, res.status, res.body.code]).toEqual([what, 400, 'MQ_VALIDATION_FAILED']);
          expect(res.body.details).toEqual([{ field: expect.stringMatching(/(^|\.)headers$/), errors: [expect.stringMatching(/trace/)] }]);
        }
        expect(await headersOfEntries()).toEqual([]);
      });
    }

    it('should deliver a well-formed traceparent and tracestate as given', async () => {
      const tp = traceparent();
      const ts = 'rojo=00f067aa0ba902b7, congo@vendor=t61rcWkgMzE';
      await a.publish(queue, 1, { headers: { traceparent: tp, tracestate: ts } });
      expect(await headersOfEntries()).toEqual([expect.objectContaining({ traceparent: tp, tracestate: ts })]);
    });
  });

  describe("trace context of the caller's HTTP request", () => {
    const post = (path: string, body: object, trace: Record<string, string>) => {
      const req = request(s.http).post(`${API}${path}`).set('Authorization', a.auth);
      for (const [name, value] of Object.entries(trace)) req.set(name, value);
      return req.send(body);
    };

    for (const [endpoint, bodyOf] of endpoints) {
      it(`${endpoint}: should carry the request's traceparent and tracestate to the message`, async () => {
        const tp = traceparent();
        const [path, body] = bodyOf({ 'x-n': '1' });
        expect((await post(path, body, { traceparent: tp, tracestate: 'vendor=abc' })).status).toBe(202);
        const headers = await headersOfEntries();
        expect(headers.length).toBeGreaterThan(0);
        for (const h of headers) expect(h).toEqual(expect.objectContaining({ traceparent: tp, tracestate: 'vendor=abc' }));
      });
    }

    it('should ignore a malformed traceparent of the request, and an oversized tracestate, and still publish', async () => {
      expect((await post('/publish', { topic: queue, payload: 1 }, { traceparent: 'garbage', tracestate: 'vendor=abc' })).status).toBe(202);
      const tp = traceparent();
      expect((await post('/publish', { topic: queue, payload: 2 }, { traceparent: tp, tracestate: `k=${'v'.repeat(600)}` })).status).toBe(202);
      const [first, second] = await headersOfEntries();
      expect(first).not.toHaveProperty('traceparent');
      expect(first).not.toHaveProperty('tracestate');
      expect(second.traceparent).toBe(tp);
      expect(second).not.toHaveProperty('tracestate');
    });

    it("should let a message's own trace context win over the request's, without mixing the two", async () => {
      const own = traceparent();
      const res = await post('/publish', { topic: queue, payload: 1, headers: { traceparent: own } }, { traceparent: traceparent(), tracestate: 'vendor=abc' });
      expect(res.status).toBe(202);
      const [headers] = await headersOfEntries();
      expect(headers.traceparent).toBe(own);
      expect(headers).not.toHaveProperty('tracestate');
    });
  });
});
