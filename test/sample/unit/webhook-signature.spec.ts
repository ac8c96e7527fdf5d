import { createHmac } from 'node:crypto';
import { newWebhookSecret, signWebhook, verifyWebhookSignature } from '../../../sample/subscriptions/webhook/webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"m1","data":{"a":1}}';
  const now = 1_800_000_000;

  describe(signWebhook.name, () => {
    it('should be v1= hex HMAC-SHA256 over "<timestamp>.<body>"', () => {
      const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
      expect(signWebhook(secret, now, body)).toBe(`v1=${expected}`);
    });
  });

  describe(verifyWebhookSignature.name, () => {
    it('should accept the right signature within the tolerance', () => {
      expect(verifyWebhookSignature(secret, signWebhook(secret, now, body), now, body, 300, now + 299)).toBe(true);
    });

    it('should reject another secret, another body, another timestamp, or an old one', () => {
      const signature = signWebhook(secret, now, body);
      expect(verifyWebhookSignature('whsec_other', signature, now, body, 300, now)).toBe(false);
      expect(verifyWebhookSignature(secret, signature, now, `${body} `, 300, now)).toBe(false);
      expect(verifyWebhookSignature(secret, signature, now + 1, body, 300, now)).toBe(false);
      expect(verifyWebhookSignature(secret, signature, now, body, 300, now + 301)).toBe(false);
      expect(verifyWebhookSignature(secret, 'v1=short', now, body, 300, now)).toBe(false);
    });
  });

  describe(newWebhookSecret.name, () => {
    it('should make a distinct 256-bit secret each time', () => {
      const a = newWebhookSecret();
      expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(newWebhookSecret()).not.toBe(a);
    });
  });
});
