import { Client, Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { MessageSettledEvent } from '../../../lib/index.js';
import { copyPoolOf, writeConsumptionByCopy } from '../../../lib/persistence/consumption-copy.js';
import { ConsumptionRecorder, type RecorderDatabase } from '../../../lib/persistence/consumption-recorder.js';
import { consumptionColumns } from '../../../lib/persistence/record-rows.js';
import { randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { databaseUrl, migratedDatabase, proxiedDataSource, transportDataSource, type FreshDatabase } from './fresh-database.js';
import { commitWithAnswerLost, holdWritesInto, insertOnly, registered, settledEvent, settledOnServer } from './recorder-events.js';
import type { TcpProxy } from './tcp-proxy.js';

/** Everything COPY's text format (or an array literal) gives a meaning to, and some more. */
const HOSTILE = [
  '',
  'tab\there',
  'new\nline',
  'carriage\rreturn\r\n',
  'back\\slash',
  '\\',
  'ends with a backslash\\',
  '\\N',
  '\\.',
  'a\\tb a\\nb (literal backslash-t, backslash-n)',
  '\t\t',
  'NULL',
  'quotes \' " `',
  '{a,b} "NULL", comma',
  'unicode \u00e9 \u4e2d\u6587 \u{1F600} \u200b',
  'control \u0001\u0007\u001b\u007f',
];
const ROW_HEADERS = { tenant: 'x-tenant-id', correlation: 'x-correlation-id' };
/** Longer than the 4000 characters kept, cut inside a surrogate pair, with escapes near the cut. */
const LONG_ERROR = `${'x\\\t\n'.repeat(999)}abc\u{1F600}${'tail'.repeat(100)}`;

describe('ConsumptionRecorder with COPY', () => {
  let db: FreshDatabase & { dataSource: DataSource };
  const recorders: ConsumptionRecorder[] = [];

  beforeEach(async () => {
    db = await migratedDatabase();
  });

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map(r => r.close(1_000)));
    await db.drop();
  });

  function recorder(database: RecorderDatabase, options = {}): ConsumptionRecorder {
    const r = new ConsumptionRecorder(database, { prefix: randomPrefix(), flushIntervalMs: 20, ...options });
    recorders.push(r);
    return r;
  }

  /** A topic 'orders' and a subscription of group 'billing' to it; its id. */
  async function subscription(): Promise<string> {
    const [{ id: topicId }] = await db.dataSource.query(`INSERT INTO message_topics (name) VALUES ('orders') RETURNING id`);
    const [{ id }] = await db.dataSource.query(
      `INSERT INTO message_subscriptions (topic_id, consumer_group, consumer_name) VALUES ($1, 'billing', 'billing') RETURNING id`,
      [topicId],
    );
    return id;
  }

  /** Hostile values in every string column, NULL vs empty, fractional times (rounding to µs). */
  function hostileEvents(): MessageSettledEvent[] {
    const events: MessageSettledEvent[] = [];
    HOSTILE.forEach((s, i) => {
      events.push(
        settledEvent(i, {
          consumer: `c ${s}`.slice(0, 255),
          messageId: s.slice(0, 64),
          entryId: `e${i} ${s}`.slice(0, 64),
          outcome: 'retried',
          attempt: i + 1,
          error: s,
          durationMs: i * 1.0000001 + 0.0005,
          nextAttemptAt: 1_764_322_100_000.5 + i * 0.0149,
          headers: { 'x-tenant-id': s.slice(0, 64) },
        }),
      );
    });
    events.push(settledEvent(100, { messageId: undefined, outcome: 'dead_lettered', error: LONG_ERROR, durationMs: 0, headers: {} }));
    events.push(settledEvent(101, { messageId: '', outcome: 'dropped', error: '', durationMs: 1e-7, headers: { 'x-tenant-id': '' } }));
    events.push(settledEvent(102, { outcome: 'acked', durationMs: 2.5e-7 }));
    // Values PostgreSQL would refuse (too long for the column, NUL): cut and replaced, not a failed batch.
    events.push(
      settledEvent(103, {
        consumer: `consumer-${'c'.repeat(300)}`,
        messageId: `m\u0000${'m'.repeat(100)}`,
        outcome: 'dead_lettered',
        error: `nul\u0000byte ${'e'.repeat(5_000)}`,
        headers: { 'x-tenant-id': `tenant\u0000${'t'.repeat(100)}` },
      }),
    );
    return events;
  }

  /** Every column as text (times as exact epoch µs), in entry order; ids only checked for shape. */
  async function storedRows(): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = await db.dataSource.query(
      `SELECT id::text, subscription_id::text, message_id, consumer_instance, partition_id, stream_entry_id, status,
              processing_time_ms, error_message, retry_count, tenant_id,
              (extract(epoch FROM consumed_at) * 1000000)::bigint::text AS consumed_us,
              (extract(epoch FROM processed_at) * 1000000)::bigint::text AS processed_us,
              (extract(epoch FROM next_retry_at) * 1000000)::bigint::text AS next_retry_us,
              convert_to(coalesce(error_message, ''), 'UTF8') AS error_bytes
         FROM consumption_records ORDER BY stream_entry_id`,
    );
    for (const row of rows) expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    return rows.map(({ id: _id, ...rest }) => rest);
  }

  /** Feeds the events to a recorder on `database` with a fixed clock, and waits until they are written. */
  async function write(database: RecorderDatabase, events: MessageSettledEvent[]): Promise<ConsumptionRecorder> {
    const rec = recorder(database);
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_764_322_099_999);
    try {
      for (const e of events) rec.onMessageSettled(e);
    } finally {
      now.mockRestore();
    }
    await rec.flush();
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: events.length }, failedFlushes: 0 });
    return rec;
  }

  it('should store hostile strings, NULLs and fractional times exactly as the INSERT path does', async () => {
    const events = hostileEvents();
    const statements: string[] = [];
    const query = db.dataSource.query.bind(db.dataSource);
    jest.spyOn(db.dataSource, 'query').mockImplementation((sql: string, params?: any) => {
      statements.push(sql);
      return query(sql, params);
    });

    await write(insertOnly(db.dataSource), events);
    expect(statements.some(s => s.includes('INSERT INTO consumption_records'))).toBe(true);
    const inserted = await storedRows();
    const [touchedByInsert] = await db.dataSource.query(`SELECT last_consumed_at::text AS at FROM message_subscriptions`);
    await db.dataSource.query(`TRUNCATE consumption_records`);
    await db.dataSource.query(`UPDATE message_subscriptions SET last_consumed_at = NULL`);

    statements.length = 0;
    await write(db.dataSource, events);
    // The recorder went through the pool (COPY), not through DataSource.query, for the records.
    expect(statements.filter(s => s.includes('consumption_records'))).toEqual([]);
    const copied = await storedRows();
    const [touchedByCopy] = await db.dataSource.query(`SELECT last_consumed_at::text AS at FROM message_subscriptions`);

    expect(copied).toHaveLength(events.length);
    expect(copied).toEqual(inserted);
    expect(touchedByCopy.at).not.toBeNull();
    expect(touchedByCopy).toEqual(touchedByInsert);
    // Spot checks against the source values, not only against the other path.
    const byEntry = new Map(copied.map(r => [r.stream_entry_id, r]));
    HOSTILE.forEach((s, i) => {
      const row = byEntry.get(`e${i} ${s}`.slice(0, 64))!;
      expect(row).toMatchObject({ error_message: s, tenant_id: s.slice(0, 64), consumer_instance: `c ${s}` });
      expect(row.message_id).toBe(s.slice(0, 64));
    });
    const long = byEntry.get('1700000000000-100')!;
    expect(long).toMatchObject({ message_id: null, tenant_id: null, status: 'dead_letter', next_retry_us: null });
    expect((long.error_message as string).length).toBe(4_000);
    expect(long.error_bytes).toEqual(Buffer.from(LONG_ERROR.slice(0, 4_000), 'utf8'));
    expect(byEntry.get('1700000000000-101')).toMatchObject({ message_id: '', tenant_id: '', error_message: '', status: 'failed' });
    expect(byEntry.get('1700000000000-102')).toMatchObject({ error_message: null, tenant_id: null, status: 'success' });
    const refused = byEntry.get('1700000000000-103')!;
    expect(refused).toMatchObject({
      consumer_instance: `consumer-${'c'.repeat(246)}`,
      message_id: `m\uFFFD${'m'.repeat(62)}`,
      tenant_id: `tenant\uFFFD${'t'.repeat(57)}`,
    });
    expect(refused.error_message).toBe(`nul\uFFFDbyte ${'e'.repeat(3_991)}`);
  });

  it('should roll a rejected COPY back whole, leave last_consumed_at alone and keep its pooled connection usable', async () => {
    const subscriptionId = await subscription();
    const events = Array.from({ length: 200 }, (_, i) => settledEvent(i));
    // The last row is out of range for its column: PostgreSQL rejects the COPY after taking 200 rows.
    events.push(settledEvent(200, { durationMs: 3e9 }));
    const cols = consumptionColumns(events, events.map(() => 1_764_322_099_000), events.map(() => subscriptionId), ROW_HEADERS);
    const pool = copyPoolOf(db.dataSource)!;
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(writeConsumptionByCopy(pool, cols)).rejects.toMatchObject({ code: '22003' });
    }
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM consumption_records`)).toEqual([{ n: 0 }]);
    expect(await db.dataSource.query(`SELECT last_consumed_at FROM message_subscriptions`)).toEqual([{ last_consumed_at: null }]);
    // Every connection went back to the pool, out of its aborted transaction.
    const pg = pool as unknown as Pool;
    await waitFor(() => pg.idleCount === pg.totalCount, 'every pooled connection idle');
    const states = await Promise.all(
      Array.from({ length: pg.totalCount }, () => db.dataSource.query(`SELECT now() = statement_timestamp() AS fresh`)),
    );
    expect(states.flat().every(r => r.fresh === true)).toBe(true);
    // The recorder writes the batch but the refused row (see recorder-refused-values.spec.ts).
    const rec = recorder(db.dataSource);
    for (const e of events) rec.onMessageSettled(e);
    await rec.flush();
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: 200 }, dropped: { consumption: 1 } });
  });

  it('should keep its connection usable when the COPY fails before taking data, and write once it can', async () => {
    const rec = recorder(db.dataSource, { maxRetryDelayMs: 50 });
    rec.onConsumerStarted({ topic: 'orders', group: 'billing', consumer: 'c1' });
    await waitFor(async () => (await db.dataSource.query(`SELECT 1 FROM message_subscriptions`)).length === 1, 'registration');
    await db.dataSource.query(`ALTER TABLE consumption_records RENAME TO consumption_records_away`);
    for (let i = 0; i < 50; i++) rec.onMessageSettled(settledEvent(i));
    await waitFor(() => rec.getStats().failedFlushes >= 2, 'two failed flushes');
    // The COPY data sent with the query was dropped by the server: the connections answer normally.
    const pool = copyPoolOf(db.dataSource) as unknown as Pool;
    await waitFor(() => pool.idleCount === pool.totalCount, 'every pooled connection idle');
    expect(await db.dataSource.query(`SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
    await db.dataSource.query(`ALTER TABLE consumption_records_away RENAME TO consumption_records`);
    await waitFor(() => rec.getStats().written.consumption === 50, 'the batch written');
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM consumption_records`)).toEqual([{ n: 50 }]);
  });

  it('should write only the rows an earlier attempt of the batch did not (same row ids)', async () => {
    const subscriptionId = await subscription();
    const events = Array.from({ length: 300 }, (_, i) => settledEvent(i));
    const cols = consumptionColumns(events, events.map((_, i) => 1_764_322_099_000 + i), events.map(() => subscriptionId), ROW_HEADERS);
    const pool = copyPoolOf(db.dataSource)!;
    // The first 100 rows committed earlier (an attempt whose answer was lost), then the whole batch again.
    await writeConsumptionByCopy(pool, cols.map(col => col.slice(0, 100)));
    await writeConsumptionByCopy(pool, cols);
    await writeConsumptionByCopy(pool, cols);
    const [counts] = await db.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT stream_entry_id)::int AS entries,
              (extract(epoch FROM max(processed_at)) * 1000)::bigint::text AS latest FROM consumption_records`,
    );
    expect(counts).toEqual({ n: 300, entries: 300, latest: String(1_764_322_099_299) });
    const [sub] = await db.dataSource.query(`SELECT (extract(epoch FROM last_consumed_at) * 1000)::bigint::text AS at FROM message_subscriptions`);
    expect(sub.at).toBe(String(1_764_322_099_299));
  });

  describe('when the connection is lost during a COPY', () => {
    let proxy: TcpProxy;
    let proxied: DataSource;
    let watcher: Client;

    beforeEach(async () => {
      ({ proxy, dataSource: proxied } = await proxiedDataSource(db.url));
      watcher = new Client({ connectionString: db.url });
      await watcher.connect();
    });

    afterEach(async () => {
      await proxy.cut();
      await proxied.destroy().catch(() => undefined);
      await watcher.end();
    });

    const count = async () =>
      (await watcher.query(`SELECT count(*)::int AS n, count(DISTINCT stream_entry_id)::int AS entries FROM consumption_records`)).rows[0];

    it('should write all of the batch or none of it, then all of it exactly once when PostgreSQL is back', async () => {
      const rows = 20_000;
      const rec = recorder(proxied, { batchSize: rows, maxBufferSize: rows, maxRetryDelayMs: 100 });
      await registered(rec, watcher);
      // Big rows, so the COPY lasts long enough to be cut while PostgreSQL is inside it.
      const error = 'e'.repeat(1_500);
      for (let i = 0; i < rows; i++) rec.onMessageSettled(settledEvent(i, { outcome: 'retried', error, nextAttemptAt: 1_764_322_100_000 }));
      // Cut once PostgreSQL has taken some of the rows, and not all.
      const taken = await waitFor(
        async () => {
          const { rows: progress } = await watcher.query(
            `SELECT tuples_processed::int AS n FROM pg_stat_progress_copy WHERE datname = current_database()`,
          );
          return progress[0]?.n > 0 ? progress[0].n : 0;
        },
        'a COPY in progress',
        20_000,
        1,
      );
      await proxy.cut();
      expect(taken).toBeLessThan(rows);
      await waitFor(() => rec.getStats().failedFlushes >= 1, 'the failed flush');
      await settledOnServer(watcher);
      // The data may all have reached PostgreSQL before the cut: then the transaction commits
      // without anyone to tell. Either way, never a part of the batch.
      const after = await count();
      expect([0, rows]).toContain(after.n);
      expect(rec.getStats()).toMatchObject({ buffered: rows, written: { consumption: 0 }, dropped: { consumption: 0 } });

      await proxy.restore();
      await waitFor(() => rec.getStats().written.consumption === rows, 'the batch written after the restore', 30_000);
      expect(await count()).toEqual({ n: rows, entries: rows });
      expect((await watcher.query(`SELECT last_consumed_at FROM message_subscriptions`)).rows[0].last_consumed_at).toBeInstanceOf(Date);
      expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: rows }, dropped: { consumption: 0 } });
    });

    it('should not write a batch twice when it committed but the answer was lost with the connection', async () => {
      // The COPY waits in a trigger, after taking every row, for an advisory lock the watcher holds.
      await holdWritesInto(watcher, 'consumption_records', 4242);
      const rows = 500;
      const rec = recorder(proxied, { maxRetryDelayMs: 100 });
      await registered(rec, watcher);
      for (let i = 0; i < rows; i++) rec.onMessageSettled(settledEvent(i));
      await commitWithAnswerLost(rec, watcher, proxy, 4242);
      expect(await count()).toEqual({ n: rows, entries: rows });
      expect(rec.getStats()).toMatchObject({ buffered: rows, written: { consumption: 0 } });

      await proxy.restore();
      await waitFor(() => rec.getStats().written.consumption === rows, 'the batch written after the restore', 15_000);
      expect(await count()).toEqual({ n: rows, entries: rows });
      expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: rows }, dropped: { consumption: 0 } });
    });
  });
});

describe(copyPoolOf.name, () => {
  it('should find the pool of a postgres DataSource, of its manager and of a pg Pool, and nothing else', async () => {
    const dataSource = transportDataSource(databaseUrl(), { poolSize: 1 });
    expect(copyPoolOf(dataSource)).toBeUndefined(); // not initialized yet: the INSERT path reports the error
    await dataSource.initialize();
    const pool = new Pool({ connectionString: databaseUrl(), max: 1 });
    const client = new Client({ connectionString: databaseUrl() });
    const runner = dataSource.createQueryRunner();
    try {
      const master = (dataSource.driver as unknown as { master: unknown }).master;
      expect(copyPoolOf(dataSource)).toBe(master);
      expect(copyPoolOf(dataSource.manager)).toBe(master);
      expect(copyPoolOf(runner.manager)).toBeUndefined();
      expect(copyPoolOf(pool)).toBe(pool);
      expect(copyPoolOf(client)).toBeUndefined();
      // A pool of another client class (pg-native's) has no protocol connection for COPY.
      const nativeLike = Object.assign(Object.create(pool), { Client: function NativeClient() {} });
      expect(copyPoolOf(nativeLike)).toBeUndefined();
      expect(copyPoolOf({ query: () => Promise.resolve([]) })).toBeUndefined();
      expect(copyPoolOf(undefined)).toBeUndefined();
    } finally {
      await runner.release();
      await pool.end();
      await dataSource.destroy();
    }
  });
});
