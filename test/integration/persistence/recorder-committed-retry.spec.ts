import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ConsumptionRecorder, type RecorderDatabase } from '../../../lib/persistence/consumption-recorder.js';
import { randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { migratedDatabase, proxiedDataSource, type FreshDatabase } from './fresh-database.js';
import { commitWithAnswerLost, holdWritesInto, insertOnly, publishedEvent, registered, settledEvent } from './recorder-events.js';
import type { TcpProxy } from './tcp-proxy.js';

/**
 * The INSERT path when a batch committed but its answer was lost with the connection: the retry
 * must find the rows already there, not write them again.
 */
describe('ConsumptionRecorder, committed batch retried', () => {
  let db: FreshDatabase & { dataSource: DataSource };
  let proxy: TcpProxy;
  let proxied: DataSource;
  let watcher: Client;
  const recorders: ConsumptionRecorder[] = [];

  beforeEach(async () => {
    db = await migratedDatabase();
    ({ proxy, dataSource: proxied } = await proxiedDataSource(db.url));
    watcher = new Client({ connectionString: db.url });
    await watcher.connect();
  });

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map(r => r.close(1_000)));
    await proxy.cut();
    await proxied.destroy().catch(() => undefined);
    await watcher.end();
    await db.drop();
  });

  function recorder(database: RecorderDatabase, options = {}): ConsumptionRecorder {
    const r = new ConsumptionRecorder(database, { prefix: randomPrefix(), flushIntervalMs: 20, maxRetryDelayMs: 100, ...options });
    recorders.push(r);
    return r;
  }



  const count = async (table: string) =>
    (await watcher.query(`SELECT count(*)::int AS n, count(DISTINCT stream_entry_id)::int AS entries FROM ${table}`)).rows[0];

  it.each([
    ['INSERT_CONSUMPTION', false],
    ['INSERT_CONSUMPTION_AND_SETTLE_MESSAGES', true],
  ])('should write each consumption record once when a committed %s is retried', async (_sql, recordMessages) => {
    const rows = 300;
    const rec = recorder(recordMessages ? proxied : insertOnly(proxied), { recordMessages });
    await registered(rec, watcher);
    await holdWritesInto(watcher, 'consumption_records', 4243);
    for (let i = 0; i < rows; i++) rec.onMessageSettled(settledEvent(i));
    await commitWithAnswerLost(rec, watcher, proxy, 4243);
    expect(await count('consumption_records')).toEqual({ n: rows, entries: rows });
    expect(rec.getStats()).toMatchObject({ buffered: rows, written: { consumption: 0 } });

    await proxy.restore();
    await waitFor(() => rec.getStats().written.consumption === rows, 'the batch written after the restore', 15_000);
    expect(await count('consumption_records')).toEqual({ n: rows, entries: rows });
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: rows }, dropped: { consumption: 0 } });
  });

  it('should write each message record once when a committed INSERT_MESSAGES is retried', async () => {
    const rows = 300;
    const rec = recorder(proxied, { recordMessages: true });
    await holdWritesInto(watcher, 'message_records', 4243);
    for (let i = 0; i < rows; i++) rec.onMessagePublished(publishedEvent(i));
    await commitWithAnswerLost(rec, watcher, proxy, 4243);
    expect(await count('message_records')).toEqual({ n: rows, entries: rows });

    await proxy.restore();
    await waitFor(() => rec.getStats().written.message === rows, 'the batch written after the restore', 15_000);
    expect(await count('message_records')).toEqual({ n: rows, entries: rows });
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { message: rows }, dropped: { message: 0 } });
  });

  it.each([
    ['COPY', (ds: DataSource): RecorderDatabase => ds],
    ['INSERT', insertOnly],
  ])('should resume a batch split around a refused record where the lost connection left it (%s), each record once', async (_path, database) => {
    const rows = 300;
    const rec = recorder(database(proxied));
    await registered(rec, watcher);
    // m-17 is refused (processing_time_ms is an integer), so the batch is split; the part holding m-260 commits for nobody.
    await holdWritesInto(watcher, 'consumption_records', 4243, 'm-260');
    for (let i = 0; i < rows; i++) rec.onMessageSettled(settledEvent(i, i === 17 ? { durationMs: 3e9 } : {}));
    await commitWithAnswerLost(rec, watcher, proxy, 4243);
    expect(await count('consumption_records')).toEqual({ n: rows - 1, entries: rows - 1 });
    // [0, 150) was written, m-17 dropped; [150, 300) is waiting in the buffer with its row ids.
    expect(rec.getStats()).toMatchObject({ buffered: 150, written: { consumption: 149 }, dropped: { consumption: 1 } });

    await proxy.restore();
    await waitFor(() => rec.getStats().written.consumption === rows - 1, 'the rest written after the restore', 15_000);
    expect(await count('consumption_records')).toEqual({ n: rows - 1, entries: rows - 1 });
    expect(rec.getStats()).toMatchObject({ buffered: 0, written: { consumption: rows - 1 }, dropped: { consumption: 1 } });
  });
});
