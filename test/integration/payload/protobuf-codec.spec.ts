import protobuf from 'protobufjs';
import { lastValueFrom } from 'rxjs';
import type { PayloadCodec, RedisStreamsContext } from '../../../lib/index.js';
import { useRedisFixture } from '../../helpers/fixture.js';
import { startClient, startServer } from '../../helpers/nest.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The documented Protobuf example (docs/payloads.md): a codec over protobufjs with one message type
 * per topic. Any schema'd binary format (Avro with avsc, …) plugs in the same way.
 */
function protobufCodec(typesByTopic: Record<string, protobuf.Type>): PayloadCodec {
  const typeOf = (topic: string) => {
    const type = typesByTopic[topic];
    if (!type) throw new Error(`no Protobuf type for topic "${topic}"`);
    return type;
  };
  return {
    contentType: 'application/x-protobuf',
    encode: (value, topic) => {
      const type = typeOf(topic);
      const problem = type.verify(value as Record<string, unknown>);
      if (problem) throw new Error(`invalid ${type.name}: ${problem}`);
      return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
    },
    decode: (bytes, topic) => typeOf(topic).toObject(typeOf(topic).decode(bytes), { longs: String, enums: String, defaults: true }),
  };
}

const root = protobuf.Root.fromJSON({
  nested: {
    shop: {
      nested: {
        Order: {
          fields: {
            id: { type: 'string', id: 1 },
            quantity: { type: 'uint32', id: 2 },
            status: { type: 'Status', id: 3 },
          },
        },
        Status: { values: { NEW: 0, PAID: 1 } },
      },
    },
  },
});

describe('Protobuf through the codec hook', () => {
  const f = useRedisFixture();

  it('should publish Protobuf bytes and hand the decoded object to the handler', async () => {
    const codec = protobufCodec({ orders: root.lookupType('shop.Order') });
    const producer = await startClient(f.prefix, { payload: { codec } });
    try {
      const seen: unknown[] = [];
      const server = await startServer([], { prefix: f.prefix, payload: { codecs: [codec] } });
      f.servers.push(server);
      await server.server.subscribe('orders', (data, _ctx: RedisStreamsContext) => void seen.push(data), { group: 'g' });
      await lastValueFrom(producer.emit('orders', { id: 'o-1', quantity: 3, status: 1 }));
      await expect(lastValueFrom(producer.emit('orders', { id: 'o-2', quantity: 'many' }))).rejects.toThrow(/invalid Order: quantity: integer expected/);
      await waitFor(() => seen.length === 1, 'the order');
      expect(seen).toEqual([{ id: 'o-1', quantity: 3, status: 'PAID' }]);
      const [[, fields]] = await f.redis.xrange(`${f.prefix}:{orders}`, '-', '+');
      const data = Buffer.from(fields[fields.indexOf('data') + 1], 'base64');
      expect(fields[fields.indexOf('ct') + 1]).toBe('application/x-protobuf');
      expect(data.length).toBe(9); // 3 fields in 9 bytes: 2+3 (id), 2 (quantity), 2 (status)
    } finally {
      await producer.close();
    }
  });
});
