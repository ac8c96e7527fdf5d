/**
 * PostgreSQL's own CPU per consumption record, apart from the transport: COPYs rows shaped like the
 * recorder's (uuid v7 row ids, one subscription, text ≈ 200 B) into a scratch table with the indexes
 * of `consumption_records`, then with others, with random (v4) or time-ordered (v7) message ids, and
 * reports the CPU of every `postgres` process per row.
 * What recording can cost at best on this machine (see docs/benchmarks.md, "Recording").
 * `node test/bench/tools/pg-row-cost.mjs [--rows=200000] [--batch=1000] [--reps=3]`
 * (DATABASE_URL, default the test suite's; the table is dropped afterwards).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { databaseUrl } from '../lib/bench-database.mjs';
import { cpuByProcessName, cpuDelta } from '../lib/proc-cpu.mjs';
import { median } from '../lib/stats.mjs';

const arg = (name, fallback) => Number(process.argv.find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const ROWS = arg('rows', 200_000);
const BATCH = arg('batch', 1_000);
const REPS = arg('reps', 3);
const TABLE = `bench_row_cost_${randomBytes(4).toString('hex')}`;

const COLUMNS = `id uuid, subscription_id uuid NOT NULL, message_id varchar(64), consumer_instance varchar(255) NOT NULL,
  partition_id int, stream_entry_id varchar(64) NOT NULL, status varchar(16) NOT NULL, processing_time_ms int NOT NULL DEFAULT 0,
  error_message text, retry_count int NOT NULL DEFAULT 0, consumed_at timestamptz NOT NULL, processed_at timestamptz,
  next_retry_at timestamptz, tenant_id varchar(64)`;
const PK = `ALTER TABLE ${TABLE} ADD PRIMARY KEY (id);`;
const BRIN = `CREATE INDEX ON ${TABLE} USING brin (consumed_at);`;
const HASH = `CREATE INDEX ON ${TABLE} USING hash (message_id);`;
const BTREE = `CREATE INDEX ON ${TABLE} (message_id);`;
const PARTIAL = `CREATE INDEX ON ${TABLE} (status, consumed_at) WHERE status <> 'success';`;
const CHECK = `ALTER TABLE ${TABLE} ADD CHECK (status IN ('success', 'failed', 'retrying', 'dead_letter'));`;
/** Index set, and whether message ids are random (v4) or time-ordered (v7). */
const VARIANTS = {
  'as migrated (pk, brin, hash on message_id, partial), v4 message ids': [PK + BRIN + HASH + PARTIAL + CHECK, 'v4'],
  'the same, v7 message ids': [PK + BRIN + HASH + PARTIAL + CHECK, 'v7'],
  'btree instead of hash on message_id, v4 message ids': [PK + BRIN + BTREE + PARTIAL + CHECK, 'v4'],
  'btree instead of hash on message_id, v7 message ids': [PK + BRIN + BTREE + PARTIAL + CHECK, 'v7'],
  'no index on message_id': [PK + BRIN + PARTIAL + CHECK, 'v4'],
  'primary key only': [PK, 'v4'],
  'heap only (no index)': ['', 'v4'],
};

/** uuid v7 text, as the recorder makes row ids: time-ordered, so the primary key appends. */
function uuidV7(ms) {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function batchText(first, count, subscription, messageIds) {
  const ms = Date.now();
  const at = new Date(ms).toISOString();
  let text = '';
  for (let i = first; i < first + count; i++) {
    text += `${uuidV7(ms)}\t${subscription}\t${messageIds === 'v7' ? uuidV7(ms) : randomUUID()}\tbench-host-12345-worker\t\\N\t${ms}-${i}\tsuccess\t0\t\\N\t0\t${at}\t${at}\t\\N\t\\N\n`;
  }
  return text;
}

const client = new pg.Client(databaseUrl());
await client.connect();
const results = Object.fromEntries(Object.keys(VARIANTS).map(k => [k, []]));
try {
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, [ddl, messageIds]] of Object.entries(VARIANTS)) {
      await client.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (${COLUMNS}); ${ddl}`);
      const subscription = randomUUID();
      const cpu0 = cpuByProcessName('postgres');
      for (let i = 0; i < ROWS; i += BATCH) {
        const text = batchText(i, Math.min(BATCH, ROWS - i), subscription, messageIds);
        await client.query('BEGIN');
        await client.query('SET LOCAL synchronous_commit = off');
        await new Promise((resolve, reject) => {
          const copy = client.query(copyFrom(`COPY ${TABLE} FROM STDIN`));
          copy.on('finish', resolve);
          copy.on('error', reject);
          copy.end(text);
        });
        await client.query('COMMIT');
      }
      const us = (cpuDelta(cpu0, cpuByProcessName('postgres')) * 1e6) / ROWS;
      results[name].push(us);
      console.log(`round ${rep + 1}: ${name}: ${us.toFixed(2)} µs of PostgreSQL CPU per row`);
    }
  }
} finally {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await client.end();
}
console.log(`\nPostgreSQL CPU per row, median of ${REPS} (${ROWS.toLocaleString('en-US')} rows, COPY batches of ${BATCH}, async commit):`);
for (const [name, values] of Object.entries(results)) console.log(`  ${median(values).toFixed(2)} µs  ${name}`);
