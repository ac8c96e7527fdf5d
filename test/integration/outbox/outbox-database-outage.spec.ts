import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { ClientRedisStreams } from '../../../lib/index.js';
import { RedisStreamsOutbox } from '../../../lib/typeorm/index.js';
import { startClient } from '../../helpers/nest.js';
import { deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { migratedDatabase, type FreshDatabase } from '../persistence/fresh-database.js';
import { TcpProxy, throughProxy } from '../persistence/tcp-proxy.js';

describe('RedisStreamsOutbox when PostgreSQL goes away', () => {
  let prefix: string;
  let redis: Redis;
  let db: FreshDatabase & { dataSource: DataSource };
  let proxy: TcpProxy;
  let proxied: DataSource;
  let client: ClientRedisStreams;
  let outbox: RedisStreamsOutbox;

  beforeEach(async () => {
    prefix = randomPrefix();
    redis = inspector();
    db = await migratedDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    proxied = new DataSource({ type: 'postgres', url: throughProxy(db.url, proxy), poolSize: 2, connectTimeoutMS: 1_000 });
    await proxied.initialize();
    client = await startClient(prefix);
    outbox = new RedisStreamsOutbox(proxied, client, { pollIntervalMs: 100, maxRetryDelayMs: 200, pruneIntervalMs: 0 });
  });

  afterEach(async () => {
    await outbox.close();
    await client.close();
    await proxy.restore().catch(() => undefined);
    await proxied.destroy().catch(() => undefined);
    await proxy.cut();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await db.drop();
  });

  const emit = (n: number) => db.dataSource.transaction(manager => outbox.emit(manager, 'orders', { n }));

  it('should resume relaying on a new connection once the database is back', async () => {
    outbox.start();
    await emit(1);
    await waitFor(async () => (await redis.xlen(`${prefix}:{orders}`)) === 1, 'the first message');
    // The relay's held (LISTENing) connection dies with the outage; rows committed meanwhile wait for it.
    await proxy.cut();
    await emit(2);
    await emit(3);
    await proxy.restore();
    const pending = async () => (await db.dataSource.query(`SELECT count(*)::int AS n FROM message_outbox WHERE sent_at IS NULL`))[0].n;
    await waitFor(async () => (await pending()) === 0, 'the rows written during the outage marked sent', 15_000);
    expect(await redis.xlen(`${prefix}:{orders}`)).toBe(3);
  });
});
