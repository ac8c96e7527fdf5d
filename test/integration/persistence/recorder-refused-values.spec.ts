import type { DataSource } from 'typeorm';
import { ConsumptionRecorder, type RecorderDatabase } from '../../../lib/persistence/consumption-recorder.js';
import { randomPrefix } from '../../helpers/redis.js';
import { migratedDatabase, type FreshDatabase } from './fresh-database.js';
import { publishedEvent } from './recorder-events.js';

/** Values PostgreSQL would refuse in a record: fitted where they can be, else only their own record is dropped. */
describe('ConsumptionRecorder and values PostgreSQL refuses', () => {
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
    const r = new ConsumptionRecorder(database, { prefix: randomPrefix(), flushIntervalMs: 20, maxRetryDelayMs: 50, ...options });
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
});
