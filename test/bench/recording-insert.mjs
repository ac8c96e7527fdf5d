/**
 * `node test/bench/recording-insert.mjs [--rows=N] [--batch=N] [--reps=N]`: what PostgreSQL spends per
 * consumption record, for each way of writing a batch the recorder could use — the multi-row
 * `INSERT … SELECT FROM unnest(…)`, the same with ids made by the client, `COPY … FROM STDIN`
 * (pg-copy-streams), and each with fewer indexes on the append-only table, down to none. Measures the CPU of the
 * one PostgreSQL backend doing the writes (/proc), so other load on the machine does not count,
 * and the wall time per row. Needs PostgreSQL (DATABASE_URL, default the test suite's).
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { createBenchDatabase } from './lib/bench-database.mjs';
import { cpuSecondsOfPid } from './lib/proc-cpu.mjs';
import { median } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => Number(process.argv.find(a => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROWS = arg('rows', 100_000);
const BATCH = arg('batch', 1_000);
const REPS = arg('reps', 3);

const COLUMNS = `subscription_id, message_id, consumer_instance, stream_entry_id, status, processing_time_ms,
  error_message, retry_count, consumed_at, processed_at, next_retry_at, tenant_id`;

const UNNEST = (withId) => `
WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS off),
rows AS (
  SELECT r.* FROM async_commit, unnest(
    ${withId ? '$13::uuid[], ' : ''}$1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::int[],
    $7::text[], $8::int[], $9::float8[], $10::float8[], $11::float8[], $12::varchar[]
  ) AS r(${withId ? 'id, ' : ''}subscription_id, message_id, consumer_instance, stream_entry_id, status, processing_time_ms,
         error_message, retry_count, consumed_ms, processed_ms, next_retry_ms, tenant_id)
), inserted AS (
  INSERT INTO consumption_records (${withId ? 'id, ' : ''}${COLUMNS})
  SELECT ${withId ? 'id, ' : ''}subscription_id, message_id, consumer_instance, stream_entry_id, status, processing_time_ms,
    error_message, retry_count, to_timestamp(consumed_ms / 1000), to_timestamp(processed_ms / 1000),
    to_timestamp(next_retry_ms / 1000), tenant_id
  FROM rows
)
UPDATE message_subscriptions s SET last_consumed_at = GREATEST(s.last_consumed_at, l.at)
FROM (SELECT subscription_id, to_timestamp(max(processed_ms) / 1000) AS at FROM rows GROUP BY subscription_id) l
WHERE s.id = l.subscription_id`;

/** A UUIDv7 (RFC 9562): 48-bit ms time first, so new ids land at the right edge of the btree. */
function uuidv7(ms, bytes) {
  randomFillSync(bytes);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** One batch of realistic rows: successes of one subscription. */
function batchRows(subscriptionId, n) {
  const now = Date.now();
  const bytes = Buffer.alloc(16);
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    id7: uuidv7(now, bytes),
    subscription_id: subscriptionId,
    message_id: randomUUID(),
    consumer_instance: 'bench-host-12345-abcdef',
    stream_entry_id: `${now}-${i}`,
    status: 'success',
    processing_time_ms: 1,
    error_message: null,
    retry_count: 0,
    consumed_ms: now - 1,
    processed_ms: now,
    next_retry_ms: null,
    tenant_id: null,
  }));
}

const pgArray = values =>
  `{${values.map(v => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `"${String(v).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;

async function writeUnnest(client, rows, withId) {
  const cols = ['subscription_id', 'message_id', 'consumer_instance', 'stream_entry_id', 'status', 'processing_time_ms',
    'error_message', 'retry_count', 'consumed_ms', 'processed_ms', 'next_retry_ms', 'tenant_id'];
  const params = cols.map(c => pgArray(rows.map(r => r[c])));
  if (withId) params.push(pgArray(rows.map(r => r[withId])));
  await client.query(UNNEST(withId), params);
}

const copyText = v => (v === null ? '\\N' : String(v).replace(/[\\\t\n\r]/g, c => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]));
const iso = ms => new Date(ms).toISOString();

async function writeCopy(client, rows, withId) {
  await client.query('BEGIN');
  await client.query(`SET LOCAL synchronous_commit = off`);
  let text = '';
  for (const r of rows) {
    text += [
      ...(withId ? [r[withId]] : []),
      r.subscription_id, r.message_id, r.consumer_instance, r.stream_entry_id, r.status, r.processing_time_ms,
      copyText(r.error_message), r.retry_count, iso(r.consumed_ms), iso(r.processed_ms), '\\N', '\\N',
    ].join('\t') + '\n';
  }
  const stream = client.query(copyStreams.from(`COPY consumption_records (${withId ? 'id, ' : ''}${COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from([text]), stream);
  await client.query(
    `UPDATE message_subscriptions SET last_consumed_at = GREATEST(last_consumed_at, to_timestamp($2::float8 / 1000)) WHERE id = $1`,
    [rows[0].subscription_id, rows.at(-1).processed_ms],
  );
  await client.query('COMMIT');
}

/** Index sets, each reached from the previous one: indexes dropped, then created. */
const INDEX_SETS = {
  'all indexes': { drop: [], create: [] },
  'brin(consumed_at) for btree(sub, consumed_at)': {
    drop: ['idx_consumption_records_subscription_consumed'],
    create: [`CREATE INDEX "bench_brin" ON consumption_records USING brin (consumed_at)`],
  },
  'without hash(message_id)': { drop: ['idx_consumption_records_message_id', 'bench_brin'], create: [] },
  'pk only': { drop: ['idx_consumption_records_status_consumed'], create: [] },
  // The floor: a heap insert with no index at all (what one row costs PostgreSQL whatever we do).
  'no index (heap only)': {
    drop: ['idx_consumption_records_consumed_brin'],
    create: ['ALTER TABLE consumption_records DROP CONSTRAINT pk_consumption_records'],
  },
};

const db = await createBenchDatabase(ROOT);
if (db.skipped) {
  console.log(`skipped: ${db.skipped}`);
  process.exit(0);
}
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
  const [{ id: topicId }] = (await client.query(`INSERT INTO message_topics (name) VALUES ('bench') RETURNING id`)).rows;
  const [{ id: subscriptionId }] = (
    await client.query(`INSERT INTO message_subscriptions (topic_id, consumer_group, consumer_name) VALUES ($1, 'g', 'g') RETURNING id`, [topicId])
  ).rows;
  const writers = {
    'unnest INSERT (current)': (rows) => writeUnnest(client, rows, false),
    'unnest INSERT, client UUIDv4': (rows) => writeUnnest(client, rows, 'id'),
    'unnest INSERT, client UUIDv7': (rows) => writeUnnest(client, rows, 'id7'),
    'COPY': (rows) => writeCopy(client, rows, false),
    'COPY, client UUIDv4': (rows) => writeCopy(client, rows, 'id'),
    'COPY, client UUIDv7': (rows) => writeCopy(client, rows, 'id7'),
  };
  console.log(`${ROWS.toLocaleString('en-US')} rows in batches of ${BATCH}, median of ${REPS}: PostgreSQL backend CPU µs/row, wall µs/row`);
  const results = [];
  for (const [indexes, change] of Object.entries(INDEX_SETS)) {
    for (const name of change.drop) await client.query(`DROP INDEX IF EXISTS "${name}"`);
    for (const sql of change.create) await client.query(sql);
    for (const [writer, write] of Object.entries(writers)) {
      const cpu = [];
      const wall = [];
      for (let rep = 0; rep < REPS; rep++) {
        await client.query('TRUNCATE consumption_records');
        await client.query('CHECKPOINT').catch(() => undefined);
        const batches = Array.from({ length: ROWS / BATCH }, () => batchRows(subscriptionId, BATCH));
        const cpu0 = cpuSecondsOfPid(pid);
        const t0 = process.hrtime.bigint();
        for (const rows of batches) await write(rows);
        wall.push(Number(process.hrtime.bigint() - t0) / 1e3 / ROWS);
        cpu.push(((cpuSecondsOfPid(pid) - cpu0) * 1e6) / ROWS);
      }
      const row = { indexes, writer, pgCpuUsPerRow: median(cpu), wallUsPerRow: median(wall) };
      results.push(row);
      console.log(`  ${indexes.padEnd(46)} ${writer.padEnd(30)} PG CPU ${row.pgCpuUsPerRow.toFixed(1).padStart(5)} µs/row   wall ${row.wallUsPerRow.toFixed(1).padStart(5)} µs/row`);
    }
  }
  console.log(JSON.stringify({ rows: ROWS, batch: BATCH, reps: REPS, results }));
} finally {
  await client.end();
  await db.drop();
}
