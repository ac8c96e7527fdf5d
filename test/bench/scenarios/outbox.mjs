/**
 * A service that writes a business row and publishes a message about it, two ways: through the
 * transactional outbox (`cfg.mode = 'outbox'`: the message row commits with the business row; the
 * producer process's relay publishes it), or with a plain `emit` after the commit
 * (`'after-commit'`: no guarantee if the process dies in between). Each send is one PostgreSQL
 * transaction on `cfg.databaseUrl`; the payload is stamped before it starts, so latency runs from
 * the business transaction to the handler. The consumer is ours with defaults.
 */
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { loadOursWithTypeorm } from '../lib/ours-build.mjs';
import { redisUrl } from '../lib/redis-url.mjs';

export { consumer } from './ours.mjs';

export async function producer(cfg) {
  const lib = await loadOursWithTypeorm(cfg);
  const dataSource = new DataSource({ type: 'postgres', url: cfg.databaseUrl, poolSize: 10 });
  await dataSource.initialize();
  const table = `bench_orders_${cfg.prefix.replace(/[^a-z0-9]/gi, '_')}`;
  await dataSource.query(`CREATE TABLE "${table}" (seq int PRIMARY KEY, body text NOT NULL)`);
  const client = new lib.ClientRedisStreams({ connection: { url: redisUrl() }, prefix: cfg.prefix });
  await client.connect();
  const outbox = cfg.mode === 'outbox' ? new lib.RedisStreamsOutbox(dataSource, client) : undefined;
  outbox?.start();
  const insert = (manager, data) => manager.query(`INSERT INTO "${table}" (seq, body) VALUES ($1, $2)`, [data.seq, data.pad ?? '']);
  const send = outbox
    ? data =>
        dataSource.transaction(async manager => {
          await insert(manager, data);
          await outbox.emit(manager, 't', data);
        })
    : async data => {
        await dataSource.transaction(manager => insert(manager, data));
        await lastValueFrom(client.emit('t', data));
      };
  return {
    send,
    async close() {
      await outbox?.close();
      await client.close();
      await dataSource.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
      await dataSource.destroy();
    },
  };
}
