import { randomBytes } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { jsonSchemaValidator } from '../../../lib/ajv/index.js';
import { ClientRedisStreams, RedisStreamsAdmin, RedisStreamsContext, UnrecoverableMessageError } from '../../../lib/index.js';
import { PayloadValidationError } from '../../../lib/errors/payload-validation.error.js';
import { msgpackCodec } from '../../../lib/msgpack/index.js';
import type { PayloadKeyProvider } from '../../../lib/payload/payload-key-provider.interface.js';
import { useRedisFixture } from '../../helpers/fixture.js';
import { startClient, startServer } from '../../helpers/nest.js';
import { connection } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';

const fast = { maxAttempts: 2, backoff: { type: 'fixed' as const, delayMs: 20, jitter: false } };
const keyRing = (current: string | undefined, keys: Record<string, Buffer>): PayloadKeyProvider => ({
  keyIdFor: () => current,
  getKey: id => keys[id],
});

describe('payload encoding against Redis', () => {
  const f = useRedisFixture();
  const clients: ClientRedisStreams[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
  });
  const client = async (extra: Record<string, unknown>) => {
    const c = await startClient(f.prefix, extra);
    clients.push(c);
    return c;
  };
  const entries = async (topic: string) => f.redis.xrange(`${f.prefix}:{${topic}}`, '-', '+');
  const deadLetters = async (topic: string) =>
    (await f.redis.xrange(`${f.prefix}:{${topic}}:dlq`, '-', '+')).map(([, fl]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < fl.length; i += 2) o[fl[i]] = fl[i + 1];
      return o;
    });
  /** A listening server consuming `topic` with a recording handler. */
  const consume = async (topic: string, serverOptions: Record<string, unknown> = {}) => {
    const seen: { data: unknown; headers: Record<string, string>; attempt: number }[] = [];
    const server = await startServer([], { prefix: f.prefix, retry: fast, ...serverOptions });
    f.servers.push(server);
    await server.server.subscribe(
      topic,
      (data, ctx: RedisStreamsContext) => {
        seen.push({ data, headers: ctx.getHeaders(), attempt: ctx.getAttempt() });
      },
      { group: 'g', startFrom: 'earliest' },
    );
    return seen;
  };

  describe('encryption', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);

    it('should round-trip encrypted payloads with readable headers and no plaintext in Redis', async () => {
      const keys = keyRing('k1', { k1 });
      const producer = await client({ payload: { keys } });
      const seen = await consume('secrets', { payload: { keys } });
      const record = { card: '4111-1111-1111-1111', name: 'Ada Lovelace' };
      await lastValueFrom(producer.emit('secrets', { ...record }));
      await waitFor(() => seen.length === 1, 'the decrypted message');
      expect(seen[0].data).toEqual(record);
      const [[, fields]] = await entries('secrets');
      const raw = fields.join(' ');
      expect(raw).not.toContain('4111');
      expect(raw).not.toContain('Lovelace');
      expect(fields).toEqual(expect.arrayContaining(['kid', 'k1']));
    });

    it('should decrypt entries written before a key rotation and write new ones with the new key', async () => {
      const seen = await consume('rotate', { payload: { keys: keyRing(undefined, { k1, k2 }) } });
      await lastValueFrom((await client({ payload: { keys: keyRing('k1', { k1 }) } })).emit('rotate', { v: 1 }));
      await lastValueFrom((await client({ payload: { keys: keyRing('k2', { k1, k2 }) } })).emit('rotate', { v: 2 }));
      await waitFor(() => seen.length === 2, 'both messages');
      expect(seen.map(s => s.data)).toEqual([{ v: 1 }, { v: 2 }]);
      const kids = (await entries('rotate')).map(([, fl]) => fl[fl.indexOf('kid') + 1]);
      expect(kids).toEqual(['k1', 'k2']);
    });

    it('should dead-letter tampered, unknown-key and moved entries unread, still encrypted', async () => {
      const keys = keyRing('k1', { k1 });
      let calls = 0;
      const server = await startServer([], { prefix: f.prefix, retry: fast, payload: { keys } });
      f.servers.push(server);
      await server.server.subscribe('vault', () => void calls++, { group: 'g', startFrom: 'earliest' });
      const producer = await client({ payload: { keys: keyRing('k1', { k1, k2 }) } });
      // A genuine entry of another topic, copied into this one: its AAD names the other topic.
      await lastValueFrom(producer.emit('elsewhere', { v: 'moved' }));
      const [[, moved]] = await entries('elsewhere');
      await f.redis.xadd(`${f.prefix}:{vault}`, '*', ...moved);
      // A genuine entry with one ciphertext byte flipped.
      await lastValueFrom(producer.emit('scratch', { v: 'tampered' }));
      const [[, tampered]] = await entries('scratch');
      const i = tampered.indexOf('data') + 1;
      const bytes = Buffer.from(tampered[i], 'base64');
      bytes[20] ^= 0xff;
      tampered[i] = bytes.toString('base64');
      await f.redis.xadd(`${f.prefix}:{vault}`, '*', ...tampered);
      // Encrypted with a key the consumer does not know.
      await lastValueFrom((await client({ payload: { keys: keyRing('k2', { k2 }) } })).emit('vault', { v: 'unknown key' }));

      await waitFor(async () => (await deadLetters('vault')).length === 3, 'three dead letters');
      expect(calls).toBe(0);
      const dls = await deadLetters('vault');
      for (const dl of dls) {
        expect(dl['dlq.error']).toMatch(/payload cannot be decoded/);
        expect(dl['dlq.attempts']).toBe('1'); // unrecoverable: no retry
        expect(dl.kid).toBeDefined();
        expect(Object.values(dl).join(' ')).not.toMatch(/moved|tampered|unknown key/);
      }
      expect(dls.map(dl => dl['dlq.error'])).toEqual([
        expect.stringMatching(/does not decrypt with key "k1"/),
        expect.stringMatching(/does not decrypt with key "k1"/),
        expect.stringMatching(/no key "k2"/),
      ]);
    });
  });

  describe('schemas', () => {
    const schemas = jsonSchemaValidator({
      schemas: { orders: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } }, additionalProperties: false } },
    });

    it('should reject an invalid emit with ajv messages and write nothing', async () => {
      const producer = await client({ payload: { schemas } });
      const error = await lastValueFrom(producer.emit('orders', { qty: 1 })).catch(err => err);
      expect(error).toBeInstanceOf(PayloadValidationError);
      expect(error.errors).toEqual(["/ must have required property 'sku'", '/ must NOT have additional properties']);
      await expect(producer.emitBatch('orders', [{ sku: 'ok' }, { sku: 1 }])).rejects.toThrow(PayloadValidationError);
      expect(await f.redis.exists(`${f.prefix}:{orders}`)).toBe(0);
      await lastValueFrom(producer.emit('orders', { sku: 'a-1' }));
      expect(await entries('orders')).toHaveLength(1);
    });

    it('should dead-letter an invalid message on consume when validateOnConsume is set', async () => {
      const seen = await consume('orders', { payload: { schemas, validateOnConsume: true } });
      await lastValueFrom(f.client.emit('orders', { sku: 42 })); // a producer without the schema
      await lastValueFrom(f.client.emit('orders', { sku: 'fine' }));
      await waitFor(() => seen.length === 1, 'the valid message');
      await waitFor(async () => (await deadLetters('orders')).length === 1, 'the invalid one dead-lettered');
      expect(seen[0].data).toEqual({ sku: 'fine' });
      const [dl] = await deadLetters('orders');
      expect(dl['dlq.error']).toContain('/sku must be string');
      expect(dl['dlq.attempts']).toBe('1');
    });
  });

  describe('formats and compression', () => {
    const big = { text: 'lorem ipsum '.repeat(500), list: Array.from({ length: 50 }, (_, i) => i) };

    it('should decode one topic written by json, msgpack, gzip, brotli and encrypted producers', async () => {
      const k1 = randomBytes(32);
      const seen = await consume('mixed', { payload: { codecs: [msgpackCodec()], keys: keyRing(undefined, { k1 }) } });
      const producers = [
        f.client,
        await client({ payload: { codec: msgpackCodec() } }),
        await client({ payload: { compression: { algorithm: 'gzip', thresholdBytes: 256 } } }),
        await client({ payload: { codec: msgpackCodec(), compression: { algorithm: 'br', thresholdBytes: 256 } } }),
        await client({ payload: { compression: { algorithm: 'gzip', thresholdBytes: 256 }, keys: keyRing('k1', { k1 }) } }),
      ];
      for (const [i, p] of producers.entries()) {
        await lastValueFrom(p.emit('mixed', { i, ...big }));
        await lastValueFrom(p.emit('mixed', { i, small: true }));
      }
      await waitFor(() => seen.length === 10, 'ten messages');
      const sorted = [...seen].sort((a, b) => (a.data as { i: number }).i - (b.data as { i: number }).i);
      for (let i = 0; i < 5; i++) {
        expect(sorted.filter(s => (s.data as { i: number }).i === i).map(s => s.data)).toEqual(
          expect.arrayContaining([{ i, ...big }, { i, small: true }]),
        );
      }
      const formats = (await entries('mixed')).map(([, fl]) => {
        const o: Record<string, string> = {};
        for (let j = 0; j < fl.length; j += 2) o[fl[j]] = fl[j + 1];
        return [o.ct ?? 'json', o.ce ?? '-', o.kid ?? '-'].join('/');
      });
      expect(formats).toEqual([
        'json/-/-', 'json/-/-',
        'application/msgpack/-/-', 'application/msgpack/-/-',
        'json/gzip/-', 'json/-/-',
        'application/msgpack/br/-', 'application/msgpack/-/-',
        'json/gzip/k1', 'json/-/k1',
      ]);
      // Compressed entries are far smaller than the JSON they carry.
      const sizes = (await entries('mixed')).map(([, fl]) => fl[fl.indexOf('data') + 1].length);
      expect(sizes[4]).toBeLessThan(sizes[0] / 5);
    });

    it('should dead-letter a msgpack entry on a server without the msgpack codec', async () => {
      let calls = 0;
      const server = await startServer([], { prefix: f.prefix, retry: fast });
      f.servers.push(server);
      await server.server.subscribe('bin', () => void calls++, { group: 'g', startFrom: 'earliest' });
      await lastValueFrom((await client({ payload: { codec: msgpackCodec() } })).emit('bin', { a: 1 }));
      await waitFor(async () => (await deadLetters('bin')).length === 1, 'a dead letter');
      expect(calls).toBe(0);
      expect((await deadLetters('bin'))[0]['dlq.error']).toContain('no codec registered for content type "application/msgpack"');
    });
  });
});

describe('encrypted dead letters through RedisStreamsAdmin', () => {
  const f = useRedisFixture();

  it('should list them decrypted only with the keys, and replay them to the handler decrypted', async () => {
    const keys = keyRing('k1', { k1: randomBytes(32) });
    const seen: unknown[] = [];
    const server = await startServer([], { prefix: f.prefix, payload: { keys } });
    f.servers.push(server);
    await server.server.subscribe(
      'pay',
      (data, ctx: RedisStreamsContext) => {
        seen.push(data);
        if (ctx.getAttempt() === 1) throw new UnrecoverableMessageError('refused once');
      },
      { group: 'g' },
    );
    const producer = await startClient(f.prefix, { payload: { keys } });
    try {
      const id = await lastValueFrom(producer.emit('pay', { iban: 'DE89370400440532013000' }));
      const blind = new RedisStreamsAdmin({ connection: connection(), prefix: f.prefix });
      const keyed = new RedisStreamsAdmin({ connection: connection(), prefix: f.prefix, payload: { keys } });
      try {
        await waitFor(async () => (await blind.listDeadLetters('pay')).length === 1, 'the dead letter');
        const [withoutKey] = await blind.listDeadLetters('pay');
        expect(withoutKey.messageId).toBe(id);
        expect(withoutKey.payloadError).toMatch(/no key "k1"/);
        expect(String(withoutKey.data)).not.toContain('DE89');
        const [withKey] = await keyed.listDeadLetters('pay');
        expect(withKey.data).toEqual({ iban: 'DE89370400440532013000' });
        expect(withKey.payloadError).toBeUndefined();
        expect(await keyed.replayDeadLetters('pay')).toBe(1);
        await waitFor(() => seen.length === 2, 'the replayed delivery');
        expect(seen).toEqual([{ iban: 'DE89370400440532013000' }, { iban: 'DE89370400440532013000' }]);
      } finally {
        await blind.close();
        await keyed.close();
      }
    } finally {
      await producer.close();
    }
  });
});
