import { consumptionCopyText } from './record-rows.js';
import { copyConsumptionBatch, WRITTEN_CONSUMPTION_IDS } from './recorder.sql.js';

/** What the COPY path needs of a `pg` pool: a connection of its own for the batch's transaction. */
export interface CopyPool {
  connect(): Promise<CopyClient>;
  query(sql: string, parameters?: unknown[]): Promise<{ rows: any[] }>;
}

/** A pooled `pg` client, as far as the COPY path uses it. */
export interface CopyClient {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
  query<T extends { submit(connection: never): void }>(submittable: T): T;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  release(destroy?: boolean | Error): void;
}

/** The protocol connection of pg's JavaScript client, as far as `CopyInQuery` writes to it. */
interface PgConnection {
  stream?: { cork?(): void; uncork?(): void };
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  flush(): void;
}

/**
 * The `pg` pool behind what the recorder was given, when COPY can use it: a TypeORM `DataSource`
 * on the `postgres` driver (its pool, once initialized), its `EntityManager` (unless bound to a
 * query runner: its transaction is not ours to share), or a `pg` `Pool`. Anything else — a
 * single `pg` `Client` (another caller could slip a query into the batch's transaction), other
 * drivers, pg-native, a wrapper — gets `undefined`: the INSERT path. Looked up per batch, so a
 * DataSource initialized or re-initialized later is found.
 */
export function copyPoolOf(database: unknown): CopyPool | undefined {
  const db = database as Record<string, any> | undefined;
  if (!db || typeof db !== 'object') return undefined;
  if (db.driver && typeof db.driver === 'object') {
    return db.driver.options?.type === 'postgres' && isPool(db.driver.master) ? db.driver.master : undefined;
  }
  if (db.connection && typeof db.connection === 'object' && 'manager' in db.connection) {
    return db.queryRunner ? undefined : copyPoolOf(db.connection);
  }
  return isPool(db) ? (db as unknown as CopyPool) : undefined;
}

/**
 * A `pg` `Pool` (a `Client` has `connect` too, but no pool counters) of pg's JavaScript client:
 * `CopyInQuery` writes to that client's protocol connection, which the pg-native client (TypeORM
 * takes it when `pg-native` is installed) does not have.
 */
function isPool(value: any): boolean {
  return (
    !!value &&
    typeof value.connect === 'function' &&
    typeof value.totalCount === 'number' &&
    typeof value.idleCount === 'number' &&
    typeof value.Client?.prototype?._handleCopyInResponse === 'function'
  );
}

/**
 * Writes a batch of consumption records (the columns of `consumptionColumns`) with COPY and
 * moves `last_consumed_at` of their subscriptions, in one transaction on a pooled connection with
 * async commit — what `INSERT_CONSUMPTION` does in one statement. All or nothing: on any error
 * the transaction is rolled back (or dies with its connection, which is then destroyed, not
 * returned to the pool) and the error is thrown for the recorder to retry the whole batch.
 * A retry keeps the row ids of the attempt before: when that one committed but its answer was
 * lost with the connection, the COPY meets its own ids, and only the rows not there are written.
 */
export async function writeConsumptionByCopy(pool: CopyPool, cols: readonly (readonly unknown[])[]): Promise<void> {
  try {
    await copyBatch(pool, cols);
  } catch (err) {
    const { code, constraint } = (err ?? {}) as { code?: string; constraint?: string };
    if (code !== '23505' || constraint !== PRIMARY_KEY) throw err;
    const rest = await withoutWritten(pool, cols);
    if (rest[0].length) await copyBatch(pool, rest);
  }
}

const PRIMARY_KEY = 'pk_consumption_records';

/** One COPY of the batch in its transaction (see `copyConsumptionBatch`). */
async function copyBatch(pool: CopyPool, cols: readonly (readonly unknown[])[]): Promise<void> {
  const data = Buffer.from(consumptionCopyText(cols), 'utf8');
  const sql = copyConsumptionBatch(touchedValues(cols[0] as readonly string[], cols[9] as readonly number[]));
  const client = await pool.connect();
  // A checked-out pg client has no pool listener: an 'error' event (connection lost) with no
  // listener would crash the process.
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  client.on('error', onError);
  try {
    await client.query(new CopyInQuery(sql, data)).done;
  } catch (err) {
    if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** The batch's columns without the rows whose ids are already in the table. */
async function withoutWritten(pool: CopyPool, cols: readonly (readonly unknown[])[]): Promise<unknown[][]> {
  const ids = cols[12] as readonly string[];
  const { rows } = await pool.query(WRITTEN_CONSUMPTION_IDS, [ids]);
  const written = new Set(rows.map(r => r.id as string));
  const keep: number[] = [];
  for (let i = 0; i < ids.length; i++) if (!written.has(ids[i])) keep.push(i);
  return cols.map(col => keep.map(i => col[i]));
}

/**
 * A simple-protocol query holding one `COPY … FROM STDIN`, for pg's `client.query(submittable)`.
 * It writes its COPY data and CopyDone right behind the query, in the same turn, instead of waiting
 * for the server's CopyInResponse: one round trip per batch, like the INSERT path. The protocol
 * allows it: the server reads the data when it reaches the COPY, and drops copy messages that
 * arrive after an error. `done` settles on the query's end: ReadyForQuery after the COMMIT, or
 * the first error.
 */
class CopyInQuery {
  readonly done: Promise<void>;
  /** pg replaces it to clear its `query_timeout` timer; called once, when the query ends. */
  callback?: (err?: Error) => void;
  private settle!: (err?: Error) => void;

  constructor(
    readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = err => (err ? reject(err) : resolve());
    });
  }

  submit(connection: PgConnection): void {
    connection.stream?.cork?.();
    connection.query(this.text);
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
    connection.stream?.uncork?.();
  }

  handleCopyInResponse(connection: PgConnection): void {
    // The data went with the query. A Flush (a no-op for the server here) answers the
    // CopyInResponse at once: with nothing to send, the client's TCP would delay its ACK, and a
    // proxy on the way using Nagle's algorithm would hold the final answer until then (40 ms).
    connection.flush();
  }

  handleCommandComplete(): void {
    // One per statement of the query; the end is ReadyForQuery.
  }

  handleReadyForQuery(): void {
    this.callback?.();
    this.settle();
  }

  handleError(err: Error): void {
    this.callback?.(err);
    this.settle(err);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `VALUES` rows of each subscription of the batch with its latest processed time (epoch ms), as
 * `max(processed_ms)` per subscription gives it, for `copyConsumptionBatch`. Ids come from the
 * database and times from the clock; both are checked before they become SQL text.
 */
export function touchedValues(ids: readonly string[], processedMs: readonly number[]): string {
  const latest = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const known = latest.get(ids[i]);
    if (known === undefined || processedMs[i] > known) latest.set(ids[i], processedMs[i]);
  }
  const rows: string[] = [];
  for (const [id, ms] of latest) {
    if (!UUID.test(id) || !Number.isFinite(ms)) {
      throw new Error(`invalid subscription id or time in a record batch: ${id}, ${ms}`);
    }
    rows.push(`('${id}'::uuid, '${ms}'::float8)`);
  }
  return rows.join(', ');
}
