import { randomBytes } from 'node:crypto';
import { PayloadPipeline } from '../../../lib/payload/payload-pipeline.js';
import { loadPayloadKeys, tenantKeyProvider } from '../../../sample/payload/payload-keys.js';

describe('sample payload keys', () => {
  const v1 = randomBytes(32);
  const v2 = randomBytes(32);

  describe(loadPayloadKeys, () => {
    it('should read versioned master keys, the highest version current unless named', () => {
      const env = { MQ_PAYLOAD_MASTER_KEYS: `1:${v1.toString('base64')}, 2:${v2.toString('base64')}` };
      expect(loadPayloadKeys(env)).toEqual({ masterKeys: { 1: v1, 2: v2 }, currentVersion: 2 });
      expect(loadPayloadKeys({ ...env, MQ_PAYLOAD_KEY_VERSION: '1' })?.currentVersion).toBe(1);
      expect(loadPayloadKeys({})).toBeUndefined();
    });

    it('should refuse keys that are not 32 bytes and a current version without a key', () => {
      expect(() => loadPayloadKeys({ MQ_PAYLOAD_MASTER_KEYS: '1:c2hvcnQ=' })).toThrow(/32 bytes/);
      expect(() => loadPayloadKeys({ MQ_PAYLOAD_MASTER_KEYS: `1:${v1.toString('base64')}`, MQ_PAYLOAD_KEY_VERSION: '3' })).toThrow(/no key/);
    });
  });

  describe(tenantKeyProvider, () => {
    const tenantOf = (topic: string) => ({ tenantId: topic.split('.')[0] });

    it('should derive one key per tenant and version, and name the current one for encrypted topics only', () => {
      const keys = tenantKeyProvider({ masterKeys: { 1: v1 }, currentVersion: 1 }, topic => (topic.endsWith('.secret') ? tenantOf(topic) : undefined));
      expect(keys.keyIdFor('acme.secret')).toBe('acme.v1');
      expect(keys.keyIdFor('acme.plain')).toBeUndefined();
      expect(keys.getKey('acme.v1')).toHaveLength(32);
      expect(keys.getKey('acme.v1')).toEqual(keys.getKey('acme.v1'));
      expect(Buffer.compare(keys.getKey('acme.v1')!, keys.getKey('globex.v1')!)).not.toBe(0);
      expect(keys.getKey('acme.v2')).toBeUndefined(); // no master key of version 2
    });

    it('should keep messages of the old version readable after rotation', () => {
      const before = new PayloadPipeline({ keys: tenantKeyProvider({ masterKeys: { 1: v1 }, currentVersion: 1 }, tenantOf) });
      const after = new PayloadPipeline({ keys: tenantKeyProvider({ masterKeys: { 1: v1, 2: v2 }, currentVersion: 2 }, tenantOf) });
      const old = before.encode('acme.orders', 'm1', { v: 1 });
      const fresh = after.encode('acme.orders', 'm2', { v: 2 });
      expect([old.format?.keyId, fresh.format?.keyId]).toEqual(['acme.v1', 'acme.v2']);
      expect(after.decode('acme.orders', 'm1', old.data, old.format!)).toEqual({ v: 1 });
      expect(after.decode('acme.orders', 'm2', fresh.data, fresh.format!)).toEqual({ v: 2 });
    });
  });
});
