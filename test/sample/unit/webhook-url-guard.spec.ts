import type { SampleConfig } from '../../../sample/config/sample-config.js';
import { WebhookAddressPolicy } from '../../../sample/subscriptions/webhook/webhook-address-policy.js';
import { guardedLookup } from '../../../sample/subscriptions/webhook/guarded-lookup.js';
import { reasonOf } from '../../../sample/subscriptions/webhook/webhook-delivery.error.js';
import { WebhookUrlGuard } from '../../../sample/subscriptions/webhook/webhook-url-guard.js';

/** A guard with an allow-list and a resolver stub (no DNS, no traffic). */
function guard(allow: string[] = [], dns: Record<string, string[]> = {}): WebhookUrlGuard {
  return new WebhookUrlGuard({
    webhookAllow: allow,
    webhookResolver: async (host: string) => {
      const answer = dns[host];
      if (!answer) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return answer.map(address => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  } as unknown as SampleConfig);
}

async function codeOf(g: WebhookUrlGuard, url: string): Promise<string | undefined> {
  try {
    await g.check(url);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('WebhookUrlGuard', () => {
  describe('check', () => {
    it.each([
      'http://127.0.0.1/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://127.0.0.1.:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://[0:0:0:0:0:ffff:7f00:1]/',
      'http://[::]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.GOOGLE.INTERNAL./',
      'http://metadata.goog/',
      'http://localhost/',
      'http://app.localhost/',
      'http://printer.local/',
      'http://192.0.2.1/',
      'http://198.18.0.1/',
    ])('should refuse %s without an allow-list', async url => {
      expect(await codeOf(guard(), url)).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
    });

    it('should accept public addresses and names whose every address is public', async () => {
      const g = guard([], { 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'] });
      expect(await codeOf(g, 'https://93.184.216.34/hook')).toBeUndefined();
      expect(await codeOf(g, 'https://[2606:4700:4700::1111]/hook')).toBeUndefined();
      expect(await codeOf(g, 'https://hooks.example.com/hook')).toBeUndefined();
    });

    it('should refuse a name when any of its addresses is not public, or when it does not resolve', async () => {
      const g = guard([], { 'a.example.com': ['93.184.216.34', '10.0.0.1'], 'b.example.com': ['::ffff:10.0.0.1'] });
      expect(await codeOf(g, 'https://a.example.com/')).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
      expect(await codeOf(g, 'https://b.example.com/')).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
      expect(await codeOf(g, 'https://c.example.com/')).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
    });

    it('should admit what the operator allow-lists: CIDRs and host names', async () => {
      const g = guard(['127.0.0.1/32', '10.8.0.0/16', 'receiver.internal', '*.hooks.corp'], { 'x.corp': ['10.8.1.2'] });
      expect(await codeOf(g, 'http://127.0.0.1:4000/hook')).toBeUndefined();
      expect(await codeOf(g, 'http://2130706433:4000/hook')).toBeUndefined();
      expect(await codeOf(g, 'http://10.8.3.4/hook')).toBeUndefined();
      expect(await codeOf(g, 'http://x.corp/hook')).toBeUndefined();
      expect(await codeOf(g, 'http://receiver.internal/hook')).toBeUndefined();
      expect(await codeOf(g, 'http://a.hooks.corp/hook')).toBeUndefined();
      expect(await codeOf(g, 'http://127.0.0.2/')).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
      expect(await codeOf(g, 'http://10.9.0.1/')).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
      expect(await codeOf(g, 'http://169.254.169.254/')).toBe('MQ_WEBHOOK_URL_FORBIDDEN');
    });

    it('should answer MQ_VALIDATION_FAILED for what is not an http(s) URL', async () => {
      for (const url of ['not a url', 'file:///etc/passwd', 'gopher://example.com/', 'http://u:p@example.com/', 'http://1.2.3.4.5/']) {
        expect(await codeOf(guard(), url)).toBe('MQ_VALIDATION_FAILED');
      }
    });
  });
});

describe('guardedLookup', () => {
  const lookup = (dns: Record<string, string[]>, allow: string[] = []) =>
    guardedLookup(new WebhookAddressPolicy(allow), async host => (dns[host] ?? []).map(address => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));

  function run(fn: ReturnType<typeof lookup>, host: string, options: { all?: boolean } = {}) {
    return new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>(resolve => fn(host, options, (err, address) => resolve({ err, address })));
  }

  it('should refuse the connection when the name resolves to a private address (what net.connect would use)', async () => {
    const fn = lookup({ 'rebind.example.com': ['10.0.0.7'] });
    const { err } = await run(fn, 'rebind.example.com');
    expect(err?.code).toBe('EMQFORBIDDEN');
    expect(reasonOf(err)).toBe('the target address is not allowed');
  });

  it('should hand every checked address to the socket when all are public', async () => {
    const fn = lookup({ 'ok.example.com': ['93.184.216.34', '2606:4700:4700::1111'] });
    expect(await run(fn, 'ok.example.com', { all: true })).toEqual({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
    });
    expect((await run(fn, 'ok.example.com')).address).toBe('93.184.216.34');
  });
});

describe('reasonOf', () => {
  it('should name the failure class, never an address', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:6379'), { code: 'ECONNREFUSED' });
    expect(reasonOf(refused)).toBe('connection refused');
    expect(reasonOf(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe('timed out');
    expect(reasonOf(new Error('connect EHOSTDOWN 10.1.2.3:80'))).toBe('network error');
  });
});
