import type { LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ConsumptionRecorder, type RecordKind, type RecorderDatabase } from '../../../lib/persistence/consumption-recorder.js';
import { randomPrefix } from '../../helpers/redis.js';
import { migratedDatabase, type FreshDatabase } from './fresh-database.js';
import { insertOnly, publishedEvent, settledEvent } from './recorder-events.js';

/** Values PostgreSQL would refuse in a record: fitted where they can be, else only their own record is dropped. */
describe('ConsumptionRecorder and values PostgreSQL refuses', () => {
  let db: FreshDatabase & { dataSource: DataSource };
  const recorders: ConsumptionRecorder[] = [];
  let warnings: string[];
  let dropped: [RecordKind, number][];
  const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (message: string) => warnings.push(message) };

  beforeEach(async () => {
    db = await migratedDatabase();
    warnings = [];
    dropped = [];
  });

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map(r => r.close(1_000)));
    await db.drop();
  });

  function recorder(database: RecorderDatabase, options = {}): ConsumptionRecorder {
    const r = new ConsumptionRecorder(
      database,
      { prefix: randomPrefix(), flushIntervalMs: 20, maxRetryDelayMs: 50, ...options },
      { onDropped: (kind, count) => dropped.push([kind, count]) },
      logger,
    );
    recorders.push(r);
    return r;
  }

  it('should cut over-long message record values and replace NUL and unpaired surrogates, writing the batch', async () => {
    const rec = recorder(db.dataSource, { recordMessages: true, producerId: `p\u0000${'p'.repeat(300)}` });
    rec.onMessagePublished(publishedEvent(0));
    rec.onMessagePublished(
      publishedEvent(1, {
        messageId: `m\u0000${'m'.repeat(100)}`,
        entryId: `1-${'1'.repeat(100)}`,
        key: `k\u0000${'k'.repeat(300)}`,
        headers: {
          'x-tenant-id': `t\u0000${'t'.repeat(100)}`,
          'x-correlation-id': `c\u0000${'c'.repeat(300)}`,
          'x-nul\u0000': 'a\u0000b',
          'x-lone': 'high \ud800 low \udc00 pair \u{1F600}',
        },
      }),
    );
    await rec.flush();
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { message: 2 }, dropped: { message: 0 }, failedFlushes: 0 });
    const [row] = await db.dataSource.query(`SELECT * FROM message_records WHERE message_id <> 'm-0'`);
    expect(row).toMatchObject({
      message_id: `m\uFFFD${'m'.repeat(62)}`,
      stream_entry_id: `1-${'1'.repeat(62)}`,
      message_key: `k\uFFFD${'k'.repeat(253)}`,
      tenant_id: `t\uFFFD${'t'.repeat(62)}`,
      correlation_id: `c\uFFFD${'c'.repeat(253)}`,
      producer_id: `p\uFFFD${'p'.repeat(253)}`,
    });
    // The headers column keeps whole values (jsonb has no length limit); only what it cannot hold is replaced.
    expect(row.headers).toEqual({
      'x-tenant-id': `t\uFFFD${'t'.repeat(100)}`,
      'x-correlation-id': `c\uFFFD${'c'.repeat(300)}`,
      'x-nul\uFFFD': 'a\uFFFDb',
      'x-lone': 'high \uFFFD low \uFFFD pair \u{1F600}',
    });
  });

  it.each([
    ['COPY', (ds: DataSource) => ds],
    ['INSERT', insertOnly],
  ])('should drop only the consumption records PostgreSQL refuses (%s), write the rest and go on', async (_path, database) => {
    const rec = recorder(database(db.dataSource));
    // A handler that ran for 35 days: processing_time_ms (integer) cannot hold 3e9 ms.
    const refused = new Set([17, 250]);
    for (let i = 0; i < 300; i++) rec.onMessageSettled(settledEvent(i, refused.has(i) ? { durationMs: 3e9 } : {}));
    await rec.flush();
    expect(rec.getStats()).toMatchObject({
      buffered: 0,
      written: { consumption: 298 },
      dropped: { consumption: 2 },
      failedFlushes: 0,
    });
    expect(dropped).toEqual([['consumption', 2]]);
    const [counts] = await db.dataSource.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE message_id IN ('m-17', 'm-250'))::int AS refused FROM consumption_records`,
    );
    expect(counts).toEqual({ n: 298, refused: 0 });
    // One line, for the batch: what PostgreSQL said, about which record.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('refused 2 record(s)');
    expect(warnings[0]).toContain('consumption record of message m-17 on orders, group billing');
    expect(warnings[0]).toMatch(/22003: value "3000000000" is out of range for type integer/);

    rec.onMessageSettled(settledEvent(300));
    await rec.flush();
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: 299 }, dropped: { consumption: 2 } });
  });

  it('should drop the message records PostgreSQL refuses and write the others of the batch', async () => {
    // Retention set to "forever" (bigint's maximum) by an admin: expires_at (published_at + retention)
    // is past timestamptz's range.
    await db.dataSource.query(`INSERT INTO message_topics (name, retention_ms) VALUES ('forever', 9223372036854775807)`);
    const rec = recorder(db.dataSource, { recordMessages: true });
    for (let i = 0; i < 100; i++) rec.onMessagePublished(publishedEvent(i, i === 40 ? { topic: 'forever' } : {}));
    await rec.flush();
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { message: 99 }, dropped: { message: 1 }, failedFlushes: 0 });
    expect(dropped).toEqual([['message', 1]]);
    const [counts] = await db.dataSource.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE message_id = 'm-40')::int AS refused FROM message_records`,
    );
    expect(counts).toEqual({ n: 99, refused: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('message record of message m-40 on forever');
    expect(warnings[0]).toMatch(/22008: timestamp out of range/);
  });
});
