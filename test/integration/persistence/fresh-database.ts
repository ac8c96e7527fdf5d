import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { REDIS_STREAMS_ENTITIES } from '../../../lib/persistence/redis-streams.entities.js';
import { InitialSchema1795303480067 } from '../../../migrations/1795303480067-InitialSchema.js';
import { OutboxInbox1795843343299 } from '../../../migrations/1795843343299-OutboxInbox.js';
import { ConsumptionRecordsBrin1795844200000 } from '../../../migrations/1795844200000-ConsumptionRecordsBrin.js';
import { TcpProxy, throughProxy } from './tcp-proxy.js';

/** The PostgreSQL the suite uses (resolved by test/global-setup.cjs). */
export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test';
}

/** Every migration, listed explicitly (globs misbehave under jest). */
export const MIGRATIONS = [InitialSchema1795303480067, OutboxInbox1795843343299, ConsumptionRecordsBrin1795844200000];

/** A database of its own for one test: `mq_t_<random>`, dropped by `drop()`. */
export interface FreshDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database with the suite's credentials (the role needs CREATEDB). */
export async function createFreshDatabase(): Promise<FreshDatabase> {
  const name = `mq_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(client => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(client => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A DataSource on `url` with the transport's entities and migrations, not yet initialized. */
export function transportDataSource(url: string, extra: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [...REDIS_STREAMS_ENTITIES],
    migrations: MIGRATIONS,
    uuidExtension: 'pgcrypto',
    synchronize: false,
    poolSize: extra.poolSize ?? 4,
    // Fail fast while the database is unreachable (fault tests).
    connectTimeoutMS: 2_000,
  });
}

/**
 * An initialized DataSource (pool of 2) on the database at `url`, reached through a `TcpProxy` of
 * its own, which a fault test cuts and restores.
 */
export async function proxiedDataSource(url: string): Promise<{ proxy: TcpProxy; dataSource: DataSource }> {
  const target = new URL(url);
  const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const dataSource = transportDataSource(throughProxy(url, proxy), { poolSize: 2 });
  await dataSource.initialize();
  return { proxy, dataSource };
}

/** A fresh database with the migrations run, and its initialized DataSource. */
export async function migratedDatabase(): Promise<FreshDatabase & { dataSource: DataSource }> {
  const db = await createFreshDatabase();
  const dataSource = transportDataSource(db.url);
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    ...db,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    },
  };
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
