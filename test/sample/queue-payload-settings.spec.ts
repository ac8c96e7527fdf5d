import { randomBytes } from 'node:crypto';
import { PayloadPipeline } from '../../lib/payload/payload-pipeline.js';
import { msgpackCodec } from '../../lib/msgpack/index.js';
import { tenantKeyProvider, type PayloadKeyConfig } from '../../sample/payload/payload-keys.js';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: queue payload settings (messageFormat, compressionType, encrypted, schemaDefinition)', () => {
  const payloadKeys: PayloadKeyConfig = { masterKeys: { 1: randomBytes(32), 2: randomBytes(32) }, currentVersion: 1 };
  let s: SampleHarness;
  let a: ReturnType<typeof api>;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    s = await startSampleApp({ payloadKeys });
    a = api(s);
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await s.close();
    await receiver.close();
  });

  /** The stream entry of a message, as a field → value object. */
  const entryOf = async (queue: string, messageId: string) => {
    const entries = await s.redis.xrange(`${s.config.prefix}:{${s.tenant}.${queue}}`, '-', '+');
    for (const [, fields] of entries) {
      const o: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) o[fields[i]] = fields[i + 1];
      if (o.id === messageId) return o;
    }
    throw new Error(`no entry for ${messageId}`);
  };
  const big = { note: 'the quick brown fox jumps over the lazy dog '.repeat(40) };

  it('should show the settings and publish msgpack, gzip-compressed and plain JSON as configured', async () => {
    const q = await a.queue('bin', { messageFormat: 'msgpack', compressionType: 'gzip' });
    expect(q).toMatchObject({ messageFormat: 'msgpack', compressionType: 'gzip', encrypted: false, schemaDefinition: null });
    await a.queue('plain');
    const small = await entryOf('bin', await a.publish('bin', { n: 1 }));
    expect(small).toMatchObject({ ct: 'application/msgpack' });
    expect(small.ce).toBeUndefined(); // below the 512-byte threshold
    const large = await entryOf('bin', await a.publish('bin', big));
    expect(large).toMatchObject({ ct: 'application/msgpack', ce: 'gzip' });
    const decoder = new PayloadPipeline({ codecs: [msgpackCodec()] });
    expect(decoder.decode('x', large.id, large.data, { contentType: large.ct, contentEncoding: large.ce, keyId: undefined })).toEqual(big);
    const plain = await entryOf('plain', await a.publish('plain', { n: 2 }));
    expect(plain.data).toBe('{"n":2}');
    expect(plain.ct ?? plain.ce ?? plain.kid).toBeUndefined();
  });

  it('should encrypt with the tenant key (HKDF, versioned) and deliver the decrypted payload to webhooks', async () => {
    await a.queue('secret', { encrypted: true, compressionType: 'br' });
    await a.webhook('secret', receiver.url('/in'));
    const id = await a.publish('secret', { card: '4111-1111-1111-1111' });
    const entry = await entryOf('secret', id);
    expect(entry.kid).toBe(`${s.tenant}.v1`);
    expect(JSON.stringify(entry)).not.toContain('4111');
    await waitFor(() => receiver.deliveriesOf(id).length === 1, 'the webhook delivery');
    expect(receiver.deliveriesOf(id)[0].json.data).toEqual({ card: '4111-1111-1111-1111' });
    // Only this tenant's derived key opens it.
    const topic = `${s.tenant}.secret`;
    const own = new PayloadPipeline({ keys: tenantKeyProvider(payloadKeys, () => undefined) });
    expect(own.decode(topic, id, entry.data, { contentType: undefined, contentEncoding: undefined, keyId: entry.kid })).toEqual({ card: '4111-1111-1111-1111' });
    const otherTenant = new PayloadPipeline({
      keys: { keyIdFor: () => undefined, getKey: () => tenantKeyProvider(payloadKeys, () => undefined).getKey('someone-else.v1') },
    });
    expect(() => otherTenant.decode(topic, id, entry.data, { contentType: undefined, contentEncoding: undefined, keyId: entry.kid })).toThrow(/does not decrypt/);
  });

  it('should refuse an encrypted queue when no master key is configured', async () => {
    const bare = await startSampleApp({ payloadKeys: undefined });
    try {
      const res = await api(bare).post('/queues', { name: 'secret', encrypted: true });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'MQ_VALIDATION_FAILED', message: 'Encrypted queues need MQ_PAYLOAD_MASTER_KEYS to be configured' });
    } finally {
      await bare.close();
    }
  });

  it('should enforce schemaDefinition at publish with 400 MQ_SCHEMA_INVALID and the validation errors, writing nothing', async () => {
    const schema = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'integer' } } };
    expect((await a.queue('orders', { schemaDefinition: schema })).schemaDefinition).toEqual(schema);
    const bad = await a.post('/publish', { topic: 'orders', payload: { orderId: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 'MQ_SCHEMA_INVALID', message: 'The payload does not match the queue schema', details: ['/orderId must be integer'] });
    const batch = await a.post('/publish/batch', { topic: 'orders', messages: [{ payload: { orderId: 1 } }, { payload: {} }] });
    expect(batch.status).toBe(400);
    expect(batch.body.code).toBe('MQ_SCHEMA_INVALID');
    expect(await s.redis.exists(`${s.config.prefix}:{${s.tenant}.orders}`)).toBe(0);
    await a.publish('orders', { orderId: 7 });
    // A PUT applies to the next publish; null removes the schema.
    await a.put('/queues/orders', { schemaDefinition: { type: 'object', required: ['sku'] } }).expect(200);
    expect((await a.post('/publish', { topic: 'orders', payload: { orderId: 8 } })).body.details).toEqual(["/ must have required property 'sku'"]);
    await a.put('/queues/orders', { schemaDefinition: null }).expect(200);
    await a.publish('orders', { anything: true });
  });

  it('should answer 400 for a schemaDefinition that is not a JSON Schema and for unknown formats', async () => {
    const res = await a.post('/queues', { name: 'orders', schemaDefinition: { type: 'no-such-type' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_VALIDATION_FAILED');
    expect(res.body.message).toBe('schemaDefinition is not a valid JSON Schema');
    const formats = await a.post('/queues', { name: 'orders', messageFormat: 'avro', compressionType: 'lz4' });
    expect(formats.status).toBe(400);
    expect(formats.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['compressionType', 'messageFormat']);
  });
});

describe('Sample: encrypted dead letters', () => {
  const payloadKeys: PayloadKeyConfig = { masterKeys: { 1: randomBytes(32) }, currentVersion: 1 };
  let s: SampleHarness;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    s = await startSampleApp({ payloadKeys });
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await s.close();
    await receiver.close();
  });

  it('should list a dead letter of an encrypted queue decrypted, while Redis keeps it encrypted', async () => {
    const a = api(s);
    await a.queue('secret', { encrypted: true, maxAttempts: 1 });
    await a.webhook('secret', receiver.url('/in'));
    receiver.respond = 500;
    const id = await a.publish('secret', { iban: 'DE89370400440532013000' });
    await waitFor(async () => (await a.get('/dead-letters?topic=secret')).body?.deadLetters?.length === 1, 'the dead letter', 15_000);
    const [dl] = (await a.get('/dead-letters?topic=secret')).body.deadLetters;
    expect(dl.messageId).toBe(id);
    expect(dl.data).toEqual({ iban: 'DE89370400440532013000' });
    const raw = await s.redis.xrange(`${s.config.prefix}:{${s.tenant}.secret}:dlq`, '-', '+');
    expect(JSON.stringify(raw)).not.toContain('DE89');
  });
});
