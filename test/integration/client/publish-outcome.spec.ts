import { Redis } from 'ioredis';
import { firstValueFrom, filter, lastValueFrom } from 'rxjs';
import {
  ClientRedisStreams,
  PublishOutcomeUnknownError,
  RedisStreamsRecordBuilder,
  RedisUnavailableError,
} from '../../../lib/index.js';
import { FreezableProxy } from '../../helpers/freezable-proxy.js';
import { randomPrefix } from '../../helpers/redis.js';
import { PrivateRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait.js';

type Outcome = { id: string; result: 'published' | 'unknown' | 'unavailable' | 'other'; error?: unknown };

/**
 * `emit` never claims more than it knows, through network stalls and dropped connections between
 * the client and a private redis-server: resolved = written, RedisUnavailableError = not written,
 * PublishOutcomeUnknownError = maybe written; and one emit never writes two entries.
 */
describe('emit outcomes under network faults', () => {
  let redis: PrivateRedis;
  let proxy: FreezableProxy;
  let inspect: Redis;
  let client: ClientRedisStreams;
  const prefix = randomPrefix();
  const stream = `${prefix}:{orders}`;
  let n = 0;

  beforeEach(async () => {
    redis = await PrivateRedis.start();
    proxy = await FreezableProxy.start({ host: '127.0.0.1', port: redis.port });
    inspect = new Redis(redis.port, '127.0.0.1');
  });

  afterEach(async () => {
    await client?.close();
    inspect.disconnect();
    await proxy.cut();
    await redis.stop();
  });

  const startClient = async (options: { commandTimeoutMs: number; connectTimeoutMs: number }) => {
    client = new ClientRedisStreams({ connection: { host: '127.0.0.1', port: proxy.port }, prefix, ...options });
    await client.connect();
  };

  /** Emits under a known message id and records how the emit ended. */
  const emit = (): Promise<Outcome> => {
    const id = `m-${++n}`;
    return lastValueFrom(client.emit('orders', new RedisStreamsRecordBuilder({ n }).setMessageId(id).build())).then(
      published => {
        expect(published).toBe(id);
        return { id, result: 'published' as const };
      },
      error => ({
        id,
        error,
        result:
          error instanceof PublishOutcomeUnknownError ? ('unknown' as const)
          : error instanceof RedisUnavailableError ? ('unavailable' as const)
          : ('other' as const),
      }),
    );
  };
  const emitMany = (count: number) => Promise.all(Array.from({ length: count }, emit));

  /** Message ids in the stream, one per entry. */
  const written = async () => (await inspect.xrange(stream, '-', '+')).map(([, f]) => f[f.indexOf('id') + 1]);

  /** Every outcome told the truth, and no message was written twice. */
  const expectHonest = async (outcomes: Outcome[]) => {
    const ids = await written();
    expect(new Set(ids).size).toBe(ids.length); // no emit produced two entries
    for (const o of outcomes) {
      const copies = ids.filter(id => id === o.id).length;
      if (o.result === 'published') expect({ ...o, copies }).toEqual({ ...o, copies: 1 });
      else if (o.result === 'unavailable') expect({ ...o, copies }).toEqual({ ...o, copies: 0 });
      else expect({ ...o, copies: copies <= 1 }).toEqual({ id: o.id, result: 'unknown', error: o.error, copies: true });
    }
  };

  it('should reject writes cut off from their replies as unknown at once, and never re-send them after the reconnect', async () => {
    await startClient({ commandTimeoutMs: 10_000, connectTimeoutMs: 2_000 });
    const before = await emitMany(5);
    proxy.freeze('replies');
    const inFlight = emitMany(20);
    await waitFor(async () => (await inspect.xlen(stream)) === 25, 'the 20 writes to reach Redis');
    const t0 = Date.now();
    await proxy.cut();
    await proxy.restore(); // back at once: the client reconnects on its first retry
    const cutOff = await inFlight;
    expect(Date.now() - t0).toBeLessThan(5_000); // not after the 10 s command timeout
    const after = (await waitFor(async () => {
      const o = await emit();
      return o.result === 'published' ? o : undefined;
    }, 'the client to reconnect', 15_000, 100)) as Outcome;
    expect(await inspect.xlen(stream)).toBe(26); // nothing re-sent on the new connection
    expect(cutOff.map(o => o.result)).toEqual(Array(20).fill('unknown'));
    const err = cutOff[0].error as PublishOutcomeUnknownError;
    expect(err).toMatchObject({ messageId: cutOff[0].id, topic: 'orders' });
    expect(err.message).toMatch(/is unknown .*setDeduplicationId/);
    await expectHonest([...before, ...cutOff, after]);
  });

  it('should tell written, unknown and not written apart through a stall, a cut and a recovery, without duplicates', async () => {
    await startClient({ commandTimeoutMs: 300, connectTimeoutMs: 300 });
    const outcomes: Outcome[] = [...(await emitMany(10))];

    proxy.freeze('both'); // a network stall: writes leave the client, nothing comes back in time
    const stalled = await emitMany(20);
    expect(stalled.map(o => o.result)).toEqual(Array(20).fill('unknown'));
    proxy.thaw(); // the stalled writes arrive after all: they were never "not published"
    await waitFor(async () => (await inspect.xlen(stream)) === 30, 'the stalled writes to land');
    outcomes.push(...stalled);

    const down = firstValueFrom(client.status.pipe(filter(s => s === 'reconnecting')));
    await proxy.cut();
    await down;
    const refused = await emitMany(10);
    expect(refused.map(o => o.result)).toEqual(Array(10).fill('unavailable'));
    outcomes.push(...refused);

    await proxy.restore();
    await waitFor(async () => {
      const o = await emit();
      outcomes.push(o);
      return o.result === 'published';
    }, 'the client to reconnect', 15_000, 100);
    outcomes.push(...(await emitMany(10)));

    expect(outcomes.filter(o => o.result === 'other')).toEqual([]);
    await expectHonest(outcomes);
  });
});
