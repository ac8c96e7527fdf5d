import type { DataSource } from 'typeorm';
import { InitialSchema1795303480067 } from '../../../migrations/1795303480067-InitialSchema.js';
import { createFreshDatabase, transportDataSource, type FreshDatabase } from './fresh-database.js';

const TABLES = ['consumption_records', 'message_inbox', 'message_outbox', 'message_records', 'message_subscriptions', 'message_topics'];

describe(InitialSchema1795303480067.name, () => {
  let db: FreshDatabase;
  let dataSource: DataSource;

  beforeEach(async () => {
    db = await createFreshDatabase();
    dataSource = transportDataSource(db.url);
    await dataSource.initialize();
  });

  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.drop();
  });

  async function tables(): Promise<string[]> {
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
    );
    return rows.map(r => r.table_name);
  }

  it('should create the tables on a fresh database, matching the entities exactly', async () => {
    const ran = await dataSource.runMigrations();
    expect(ran.map(m => m.name)).toEqual(['InitialSchema1795303480067', 'OutboxInbox1795843343299', 'ConsumptionRecordsBrin1795844200000']);
    expect(await tables()).toEqual(TABLES);
    // What `migration:generate` would write: nothing, if the SQL and the entities agree.
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map(q => q.query)).toEqual([]);
  });

  it('should create the indexes the admin API queries by', async () => {
    await dataSource.runMigrations();
    const rows: { indexname: string }[] = await dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' ORDER BY 1`,
    );
    expect(rows.map(r => r.indexname)).toEqual([
      'idx_consumption_records_consumed_brin',
      'idx_consumption_records_message_id',
      'idx_consumption_records_status_consumed',
      'idx_message_inbox_processed_at',
      'idx_message_outbox_pending',
      'idx_message_outbox_sent_at',
      'idx_message_records_status_published',
      'idx_message_records_topic_published',
    ]);
  });

  it('should apply the column defaults: uuid ids, 7 days retention, empty ACLs, active status', async () => {
    await dataSource.runMigrations();
    const [topic] = await dataSource.query(`INSERT INTO message_topics (name) VALUES ('orders') RETURNING *`);
    expect(topic.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(topic).toMatchObject({
      topic_type: 'redis_stream',
      retention_ms: '604800000',
      message_format: 'json',
      compression_type: 'none',
      allowed_producers: [],
      allowed_consumers: [],
      status: 'active',
      is_public: false,
    });
    expect(topic.created_at).toBeInstanceOf(Date);
    const [sub] = await dataSource.query(
      `INSERT INTO message_subscriptions (topic_id, consumer_group, consumer_name) VALUES ($1, 'billing', 'billing') RETURNING *`,
      [topic.id],
    );
    expect(sub).toMatchObject({ subscription_type: 'redis_consumer', max_retry_attempts: 3, retry_delay_ms: 1000, status: 'active' });
  });

  it('should enforce the unique and check constraints', async () => {
    await dataSource.runMigrations();
    await dataSource.query(`INSERT INTO message_topics (name, tenant_id) VALUES ('orders', 't1'), ('orders', 't2'), ('orders', NULL)`);
    await expect(dataSource.query(`INSERT INTO message_topics (name, tenant_id) VALUES ('orders', 't1')`)).rejects.toThrow(/unique/i);
    await expect(dataSource.query(`INSERT INTO message_topics (name) VALUES ('orders')`)).rejects.toThrow(/unique/i);
    await expect(dataSource.query(`INSERT INTO message_topics (name, status) VALUES ('x', 'gone')`)).rejects.toThrow(/check/i);
  });

  it('should cascade a deleted topic to its subscriptions, and keep the append-only records unconstrained', async () => {
    await dataSource.runMigrations();
    const [topic] = await dataSource.query(`INSERT INTO message_topics (name) VALUES ('orders') RETURNING id`);
    await dataSource.query(`INSERT INTO message_subscriptions (topic_id, consumer_group, consumer_name) VALUES ($1, 'g', 'g')`, [topic.id]);
    await dataSource.query(`DELETE FROM message_topics WHERE id = $1`, [topic.id]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM message_subscriptions`)).toEqual([{ n: 0 }]);
    const fks: { conname: string }[] = await dataSource.query(`SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1`);
    expect(fks.map(f => f.conname)).toEqual(['fk_message_subscriptions_topic']);
  });

  it('should drop everything on revert, and migrate up again', async () => {
    await dataSource.runMigrations();
    await dataSource.undoLastMigration();
    expect(await tables()).toEqual(TABLES);
    await dataSource.undoLastMigration();
    expect(await tables()).toEqual(TABLES.filter(t => !t.startsWith('message_inbox') && !t.startsWith('message_outbox')));
    await dataSource.undoLastMigration();
    expect(await tables()).toEqual([]);
    await dataSource.runMigrations();
    expect(await tables()).toEqual(TABLES);
  });
});
