import { createServer } from 'node:net';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';
import type { ResolvedAddress } from '../../sample/subscriptions/webhook/webhook-resolver.js';

/**
 * Webhook targets, tried as a hostile tenant would. Traffic only ever goes to 127.0.0.1 (the
 * harness allow-lists 127.0.0.1/32, as MQ_WEBHOOK_ALLOW would); every other address is refused
 * before a connection, and names are answered by a resolver stub, never by DNS.
 */
describe('Sample: webhook targets (SSRF)', () => {
  let s: SampleHarness;
  let a: ReturnType<typeof api>;
  let receiver: WebhookReceiver;
  /** What the stub resolver answers, by host name (changed by tests to simulate DNS rebinding). */
  const dns = new Map<string, ResolvedAddress[]>();

  beforeAll(async () => {
    s = await startSampleApp({
      webhookResolver: async host => {
        const answer = dns.get(host);
        if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return answer;
      },
    });
    a = api(s);
    receiver = await WebhookReceiver.start();
    await a.queue('orders', { maxAttempts: 1 });
  });

  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  beforeEach(() => {
    dns.clear();
    receiver.respond = 200;
    receiver.responseHeaders = {};
  });

  function subscribe(url: string, extra: Record<string, unknown> = {}) {
    return a.post('/subscriptions', { topic: 'orders', type: 'webhook', handlerConfig: { url, ...extra } });
  }

  async function deadLetterOf(messageId: string): Promise<{ error: string }> {
    return waitFor(
      async () => (await a.get('/dead-letters?topic=orders')).body.deadLetters.find((d: { messageId: string }) => d.messageId === messageId),
      'the dead letter',
    );
  }

  it.each([
    ['cloud metadata (AWS)', 'http://169.254.169.254/latest/meta-data/'],
    ['cloud metadata (GCP) by name', 'http://metadata.google.internal/computeMetadata/v1/'],
    ['cloud metadata (AWS IPv6)', 'http://[fd00:ec2::254]/'],
    ['a private address', 'http://10.0.0.1/'],
    ['a private address in hex', 'http://0x0a000001/'],
    ['a private address as one decimal number', 'http://167772161/'],
    ['link-local in octal', 'http://0251.0376.0251.0376/'],
    ['link-local as one decimal number', 'http://2852039166/'],
    ['a short private form', 'http://10.1/'],
    ['192.168/16', 'https://192.168.1.10:8443/hook'],
    ['172.16/12', 'http://172.20.0.5/'],
    ['carrier-grade NAT', 'http://100.64.0.1/'],
    ['IPv6 loopback', 'http://[::1]:8080/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped loopback in hex', 'http://[::ffff:7f00:1]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['IPv6 unique-local', 'http://[fc00::1]/'],
    ['NAT64 of a private address', 'http://[64:ff9b::a00:1]/'],
    ['IPv4-compatible IPv6 of the metadata address', 'http://[::169.254.169.254]/latest/meta-data/'],
    ['IPv4-compatible IPv6 loopback', 'http://[::127.0.0.1]/'],
    ['IPv4-translated (SIIT) loopback', 'http://[::ffff:0:7f00:1]/'],
    ['deprecated site-local IPv6', 'http://[fec0::1]/'],
    ['IPv6 outside global unicast (2000::/3)', 'http://[4000::1]/'],
    ['multicast', 'http://224.0.0.1/'],
    ['broadcast', 'http://255.255.255.255/'],
    ['the unspecified address', 'http://0.0.0.0:3010/'],
    ['localhost by name', 'http://localhost:3010/'],
    ['a .internal name', 'http://db.internal/'],
  ])('should refuse %s at creation with 400 MQ_WEBHOOK_URL_FORBIDDEN', async (_what, url) => {
    const res = await subscribe(url);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
  });

  it('should refuse names that resolve to private, loopback or metadata addresses (any of their addresses)', async () => {
    dns.set('intranet.example.com', [{ address: '10.20.30.40', family: 4 }]);
    dns.set('mixed.example.com', [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ]);
    dns.set('v6.example.com', [{ address: 'fd00:ec2::254', family: 6 }]);
    for (const host of ['intranet.example.com', 'mixed.example.com', 'v6.example.com']) {
      const res = await subscribe(`https://${host}/hook`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'MQ_WEBHOOK_URL_FORBIDDEN' });
      // The tenant learns the name is refused, not where it points.
      expect(res.body.message).not.toMatch(/10\.20|169\.254|fd00/);
    }
    expect((await subscribe('https://nowhere.example.com/')).body.code).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
    expect((await subscribe('ftp://example.com/')).body.code).toBe('MQ_VALIDATION_FAILED');
    expect((await subscribe('http://user:pw@example.com/')).body.code).toBe('MQ_VALIDATION_FAILED');
  });

  it('should refuse a forbidden URL on update too', async () => {
    const sub = await a.webhook('orders', receiver.url());
    const res = await a.put(`/subscriptions/${sub.id}`, { handlerConfig: { url: 'http://169.254.169.254/' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
    await a.delete(`/subscriptions/${sub.id}`).expect(204);
  });

  it('should check the address actually connected to: a name that later resolves to a private address is refused at delivery', async () => {
    // Public at creation; the stub then "rebinds" it before the first connection, so nothing is ever sent to the public address.
    dns.set('rebind.example.com', [{ address: '93.184.216.34', family: 4 }]);
    const res = await subscribe('http://rebind.example.com/hook');
    expect(res.status).toBe(201);
    dns.set('rebind.example.com', [{ address: '10.0.0.7', family: 4 }]);
    const id = await a.publish('orders', { n: 1 });
    const letter = await deadLetterOf(id);
    expect(letter.error).toContain('the target address is not allowed');
    expect(letter.error).not.toContain('10.0.0.7');
    await a.delete(`/subscriptions/${res.body.id}`).expect(204);
  });

  it('should dead-letter with what happened but without the address or port (no port scanner)', async () => {
    const closed = await closedPort();
    const refused = await a.webhook('orders', `http://127.0.0.1:${closed}/admin`);
    const first = await a.publish('orders', { n: 1 });
    const letter = await deadLetterOf(first);
    expect(letter.error).toContain('connection refused');
    expect(letter.error).not.toContain('127.0.0.1');
    expect(letter.error).not.toContain(String(closed));
    await a.delete(`/subscriptions/${refused.id}`).expect(204);

    receiver.respond = 404;
    const notFound = await a.webhook('orders', receiver.url('/missing'));
    const second = await a.publish('orders', { n: 2 });
    const letter2 = await deadLetterOf(second);
    expect(letter2.error).toContain('HTTP 404');
    expect(letter2.error).not.toMatch(/127\.0\.0\.1|\/missing/);
    await a.delete(`/subscriptions/${notFound.id}`).expect(204);
  });

  it('should not follow redirects', async () => {
    receiver.respond = r => (r.path === '/hook' ? 302 : 200);
    receiver.responseHeaders = { location: receiver.url('/elsewhere') };
    const sub = await a.webhook('orders', receiver.url('/hook'));
    const id = await a.publish('orders', { n: 3 });
    const letter = await deadLetterOf(id);
    expect(letter.error).toContain('HTTP 302');
    expect(receiver.requests.filter(r => r.path === '/elsewhere')).toEqual([]);
    await a.delete(`/subscriptions/${sub.id}`).expect(204);
  });

  it.each([
    ['a CR/LF in a value', { 'x-token': 'abc\r\nx-injected: 1' }],
    ['a bare LF in a value', { 'x-token': 'abc\ndef' }],
    ['a NUL in a value', { 'x-token': 'abc\u0000' }],
    ['Host', { host: 'internal.example.com' }],
    ['Content-Length', { 'Content-Length': '0' }],
    ['Transfer-Encoding', { 'transfer-encoding': 'chunked' }],
    ['Connection (hop-by-hop)', { connection: 'close' }],
    ['Keep-Alive (hop-by-hop)', { 'keep-alive': 'timeout=5' }],
    ['Upgrade (hop-by-hop)', { upgrade: 'websocket' }],
    ['TE (hop-by-hop)', { te: 'trailers' }],
    ['Proxy-Authorization (hop-by-hop)', { 'proxy-authorization': 'Basic eA==' }],
  ])('should refuse webhook headers with %s (400)', async (_what, headers) => {
    const res = await subscribe(receiver.url(), { headers });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_VALIDATION_FAILED');
  });
});

/** A port on 127.0.0.1 nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}
