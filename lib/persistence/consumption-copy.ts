import type { Writable } from 'node:stream';
import { consumptionCopyText, toPgArray } from './record-rows.js';
import { BEGIN_ASYNC_COMMIT, COPY_CONSUMPTION, TOUCH_SUBSCRIPTIONS_AT } from './recorder.sql.js';

/** What the COPY path needs of a `pg` pool: a connection of its own for the batch's transaction. */
export interface CopyPool {
  connect(): Promise<CopyClient>;
}

/** A pooled `pg` client, as far as the COPY path uses it. */
export interface CopyClient {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
  query<T extends Writable>(stream: T): T;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  release(destroy?: boolean | Error): void;
}

/** `pg-copy-streams`' `from()`: a writable COPY FROM STDIN query. */
export type CopyFrom = (sql: string) => Writable;

let copyFromModule: Promise<CopyFrom | undefined> | undefined;

/**
 * `from()` of `pg-copy-streams`, loaded once on first use; `undefined` when the package is not
 * installed (it is an optional peer), and the recorder keeps writing with INSERT.
 */
export function loadCopyFrom(): Promise<CopyFrom | undefined> {
  return (copyFromModule ??= import('pg-copy-streams').then(
    m => {
      const mod = m as { from?: CopyFrom; default?: { from?: CopyFrom } };
      return mod.from ?? mod.default?.from;
    },
    () => undefined,
  ));
}

/**
 * The `pg` pool behind what the recorder was given, when COPY can use it: a TypeORM `DataSource`
 * on the `postgres` driver (its pool, once initialized), its `EntityManager` (unless bound to a
 * query runner: its transaction is not ours to share), or a `pg` `Pool`. Anything else — a
 * single `pg` `Client` (another caller could slip a query into the batch's transaction), other
 * drivers, a wrapper — gets `undefined`: the INSERT path. Looked up per batch, so a DataSource
 * initialized or re-initialized later is found.
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

/** A `pg` `Pool` (a `Client` has `connect` too, but no pool counters). */
function isPool(value: any): boolean {
  return !!value && typeof value.connect === 'function' && typeof value.totalCount === 'number' && typeof value.idleCount === 'number';
}

/**
 * Writes a batch of consumption records (the columns of `consumptionColumns`) with COPY and
 * moves `last_consumed_at` of their subscriptions, in one transaction on a pooled connection with
 * async commit — what `INSERT_CONSUMPTION` does in one statement. All or nothing: on any error
 * the transaction is rolled back (or dies with its connection, which is then destroyed, not
 * returned to the pool) and the error is thrown for the recorder to retry the whole batch.
 */
export async function writeConsumptionByCopy(pool: CopyPool, copyFrom: CopyFrom, cols: readonly (readonly unknown[])[]): Promise<void> {
  const text = consumptionCopyText(cols);
  const touched = latestPerSubscription(cols[0] as readonly string[], cols[9] as readonly number[]);
  const client = await pool.connect();
  // A checked-out pg client has no pool listener: an 'error' event (connection lost) with no
  // listener would crash the process.
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  client.on('error', onError);
  try {
    await client.query(BEGIN_ASYNC_COMMIT);
    await copyIn(client, copyFrom(COPY_CONSUMPTION), text);
    await client.query(TOUCH_SUBSCRIPTIONS_AT, [toPgArray(touched.ids), toPgArray(touched.processedMs)]);
    await client.query('COMMIT');
  } catch (err) {
    if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Sends `text` as the data of a COPY FROM STDIN; resolves once PostgreSQL has taken it all. */
function copyIn(client: CopyClient, stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    // pg-copy-streams finishes after the server's ReadyForQuery: the rows are in (uncommitted).
    stream.once('finish', resolve);
    client.query(stream);
    stream.end(text);
  });
}

/** Each subscription of the batch with its latest processed time (`max(processed_ms)` per subscription). */
function latestPerSubscription(ids: readonly string[], processedMs: readonly number[]): { ids: string[]; processedMs: number[] } {
  const latest = new Map<string, number>();
  // A batch nearly always holds one subscription: compare with the previous row first.
  let last: string | undefined;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const at = processedMs[i];
    const known = id === last ? latest.get(id)! : latest.get(id);
    if (known === undefined || at > known) latest.set(id, at);
    last = id;
  }
  return { ids: [...latest.keys()], processedMs: [...latest.values()] };
}
