import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { jsonSchemaValidator } from '../../../lib/ajv/index.js';
import { PayloadValidationError } from '../../../lib/errors/payload-validation.error.js';
import { msgpackCodec } from '../../../lib/msgpack/index.js';
import { isCompressionSupported } from '../../../lib/payload/compression.js';
import type { PayloadKeyProvider } from '../../../lib/payload/payload-key-provider.interface.js';
import { PayloadPipeline } from '../../../lib/payload/payload-pipeline.js';

const keyRing = (current: string, keys: Record<string, Buffer>): PayloadKeyProvider => ({
  keyIdFor: () => current,
  getKey: id => keys[id],
});

describe(PayloadPipeline, () => {
  const big = { text: 'x'.repeat(4096), n: 1 };

  describe('encode', () => {
    it('should write plain JSON text without a format when nothing is configured', () => {
      expect(new PayloadPipeline({}).encode('t', 'm1', { a: 1 })).toEqual({ data: '{"a":1}', format: undefined });
    });

    it('should keep JSON below the compression threshold as text', () => {
      const p = new PayloadPipeline({ compression: { algorithm: 'gzip', thresholdBytes: 100 } });
      expect(p.encode('t', 'm1', { a: 1 })).toEqual({ data: '{"a":1}', format: undefined });
    });

    it('should gzip JSON above the threshold and record the encoding', () => {
      const p = new PayloadPipeline({ compression: { algorithm: 'gzip', thresholdBytes: 100 } });
      const out = p.encode('t', 'm1', big);
      expect(out.format).toEqual({ contentType: undefined, contentEncoding: 'gzip', keyId: undefined });
      expect(Buffer.from(out.data, 'base64').length).toBeLessThan(200);
      expect(p.decode('t', 'm1', out.data, out.format!)).toEqual(big);
    });

    it('should round-trip brotli, and zstd only where the runtime has it', () => {
      const br = new PayloadPipeline({ compression: { algorithm: 'br', thresholdBytes: 0 } });
      const out = br.encode('t', 'm1', big);
      expect(out.format?.contentEncoding).toBe('br');
      expect(br.decode('t', 'm1', out.data, out.format!)).toEqual(big);
      const zstd = new PayloadPipeline({ compression: { algorithm: 'zstd', thresholdBytes: 0 } });
      if (isCompressionSupported('zstd')) {
        const z = zstd.encode('t', 'm1', big);
        expect(zstd.decode('t', 'm1', z.data, z.format!)).toEqual(big);
      } else {
        expect(() => zstd.encode('t', 'm1', big)).toThrow(/zstd.*not available/);
      }
    });

    it('should write msgpack as base64 with its content type', () => {
      const p = new PayloadPipeline({ codec: msgpackCodec() });
      const out = p.encode('t', 'm1', { a: 1, b: [true, null] });
      expect(out.format).toEqual({ contentType: 'application/msgpack', contentEncoding: undefined, keyId: undefined });
      expect(p.decode('t', 'm1', out.data, out.format!)).toEqual({ a: 1, b: [true, null] });
    });

    it('should reject a payload failing its schema with the validator messages', () => {
      const p = new PayloadPipeline({
        schemas: jsonSchemaValidator({
          schemas: { orders: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } } } },
        }),
      });
      expect(p.encode('orders', 'm1', { sku: 'a', qty: 2 }).data).toBe('{"sku":"a","qty":2}');
      expect(p.encode('other', 'm1', { anything: true }).data).toBe('{"anything":true}');
      let error: unknown;
      try {
        p.encode('orders', 'm1', { qty: 0 });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PayloadValidationError);
      expect((error as PayloadValidationError).topic).toBe('orders');
      expect((error as PayloadValidationError).errors).toEqual(["/ must have required property 'sku'", '/qty must be >= 1']);
    });
  });

  describe('encryption', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);

    it('should encrypt with the current key id, a fresh IV each time, and no plaintext left', () => {
      const p = new PayloadPipeline({ keys: keyRing('k1', { k1 }) });
      const a = p.encode('t', 'm1', { secret: 'hunter2' });
      const b = p.encode('t', 'm1', { secret: 'hunter2' });
      expect(a.format).toEqual({ contentType: undefined, contentEncoding: undefined, keyId: 'k1' });
      expect(a.data).not.toBe(b.data); // random IV
      expect(Buffer.from(a.data, 'base64').toString('latin1')).not.toContain('hunter2');
      expect(p.decode('t', 'm1', a.data, a.format!)).toEqual({ secret: 'hunter2' });
    });

    it('should decrypt entries of an older key after rotation', () => {
      const before = new PayloadPipeline({ keys: keyRing('k1', { k1 }) }).encode('t', 'm1', { v: 1 });
      const after = new PayloadPipeline({ keys: keyRing('k2', { k1, k2 }) });
      const now = after.encode('t', 'm2', { v: 2 });
      expect(now.format?.keyId).toBe('k2');
      expect(after.decode('t', 'm1', before.data, before.format!)).toEqual({ v: 1 });
      expect(after.decode('t', 'm2', now.data, now.format!)).toEqual({ v: 2 });
    });

    it('should refuse another topic, another message id, a tampered byte and an unknown key', () => {
      const p = new PayloadPipeline({ keys: keyRing('k1', { k1 }) });
      const out = p.encode('t', 'm1', { v: 1 });
      expect(() => p.decode('other', 'm1', out.data, out.format!)).toThrow(/does not decrypt/);
      expect(() => p.decode('t', 'm2', out.data, out.format!)).toThrow(/does not decrypt/);
      const bytes = Buffer.from(out.data, 'base64');
      bytes[14] ^= 1;
      expect(() => p.decode('t', 'm1', bytes.toString('base64'), out.format!)).toThrow(/does not decrypt/);
      expect(() => p.decode('t', 'm1', out.data, { ...out.format!, keyId: 'k9' })).toThrow(/no key "k9"/);
    });

    it('should compress before encrypting (ciphertext does not compress)', () => {
      const p = new PayloadPipeline({ keys: keyRing('k1', { k1 }), compression: { algorithm: 'gzip', thresholdBytes: 100 } });
      const out = p.encode('t', 'm1', big);
      expect(out.format).toEqual({ contentType: undefined, contentEncoding: 'gzip', keyId: 'k1' });
      expect(Buffer.from(out.data, 'base64').length).toBeLessThan(200);
      expect(p.decode('t', 'm1', out.data, out.format!)).toEqual(big);
    });
  });

  describe('decode', () => {
    it('should decode gzip JSON without any option (mixed producers)', () => {
      const data = gzipSync(Buffer.from('{"a":1}')).toString('base64');
      expect(new PayloadPipeline({}).decode('t', 'm', data, { contentType: undefined, contentEncoding: 'gzip', keyId: undefined })).toEqual({ a: 1 });
    });

    it('should name a content type nobody registered and an unknown encoding', () => {
      const p = new PayloadPipeline({});
      expect(() => p.decode('t', 'm', 'AA==', { contentType: 'application/msgpack', contentEncoding: undefined, keyId: undefined })).toThrow(
        'no codec registered for content type "application/msgpack"',
      );
      expect(() => p.decode('t', 'm', 'AA==', { contentType: undefined, contentEncoding: 'lz4', keyId: undefined })).toThrow(/"lz4" is not supported/);
    });
  });
});

describe('PayloadPipeline per-topic settings', () => {
  it('should choose codec and compression per topic, JSON and none where the function says undefined', () => {
    const msgpack = msgpackCodec();
    const p = new PayloadPipeline({
      codec: topic => (topic === 'bin' ? msgpack : undefined),
      codecs: [msgpack],
      compression: topic => (topic === 'zip' ? { algorithm: 'gzip', thresholdBytes: 0 } : undefined),
    });
    expect(p.encode('plain', 'm', { a: 1 })).toEqual({ data: '{"a":1}', format: undefined });
    const bin = p.encode('bin', 'm', { a: 1 });
    expect(bin.format?.contentType).toBe('application/msgpack');
    expect(p.decode('bin', 'm', bin.data, bin.format!)).toEqual({ a: 1 });
    const zip = p.encode('zip', 'm', { a: 1 });
    expect(zip.format).toEqual({ contentType: undefined, contentEncoding: 'gzip', keyId: undefined });
    expect(p.decode('zip', 'm', zip.data, zip.format!)).toEqual({ a: 1 });
  });
});
