import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { REDIS_STREAMS_ENTITIES } from '../../lib/typeorm/index.js';
import { SAMPLE_ENTITIES } from '../../sample/database/sample.entities.js';
import { SAMPLE_MIGRATIONS } from '../../sample/database/typeorm-options.js';
import { SampleSchema1795304282928 } from '../../sample/migrations/1795304282928-SampleSchema.js';

function databaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test';
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe(SampleSchema1795304282928.name, () => {
  const name = `mq_s_${randomBytes(6).toString('hex')}`;
  let dataSource: DataSource;

  beforeEach(async () => {
    await admin(`CREATE DATABASE "${name}"`);
    const url = new URL(databaseUrl());
    url.pathname = `/${name}`;
    dataSource = new DataSource({
      type: 'postgres',
      url: url.toString(),
      entities: [...REDIS_STREAMS_ENTITIES, ...SAMPLE_ENTITIES],
      migrations: SAMPLE_MIGRATIONS,
      synchronize: false,
    });
    await dataSource.initialize();
  });

  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('should run after the transport\'s migration and match the entities exactly', async () => {
    const ran = await dataSource.runMigrations();
    expect(ran.map(m => m.name)).toEqual([
      'InitialSchema1795303480067',
      'SampleSchema1795304282928',
      'OutboxInbox1795843343299',
      'ConsumptionRecordsBrin1795844200000',
      'SampleOutboxInbox1795845108912',
      'SampleQueueEncryption1795846000000',
    ]);
    // What `migration:generate` would write: nothing, if the SQL and the entities agree.
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map(q => q.query)).toEqual([]);
  });

  it('should revert cleanly', async () => {
    const ran = await dataSource.runMigrations();
    // Every migration but the transport's first, newest first: the sample's tables are gone after it.
    for (let i = 1; i < ran.length; i++) await dataSource.undoLastMigration();
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND (table_name LIKE 'mq\\_%' OR table_name LIKE 'platform\\_%')`,
    );
    expect(rows).toEqual([]);
  });
});
