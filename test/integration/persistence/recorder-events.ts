import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { MessagePublishedEvent, MessageSettledEvent } from '../../../lib/index.js';
import type { ConsumptionRecorder, RecorderDatabase } from '../../../lib/persistence/consumption-recorder.js';
import { waitFor } from '../../helpers/wait.js';
import type { TcpProxy } from './tcp-proxy.js';

/** A settled delivery of message `m-<i>` on orders/billing. */
export function settledEvent(i: number, overrides: Partial<MessageSettledEvent> = {}): MessageSettledEvent {
  return {
    topic: 'orders',
    group: 'billing',
    consumer: 'c1',
    messageId: `m-${i}`,
    entryId: `1700000000000-${i}`,
    attempt: 1,
    outcome: 'acked',
    durationMs: 3,
    publishedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** A publish of message `m-<i>` on orders. */
export function publishedEvent(i: number, overrides: Partial<MessagePublishedEvent> = {}): MessagePublishedEvent {
  return {
    topic: 'orders',
    messageId: `m-${i}`,
    entryId: `1700000000000-${i}`,
    publishedAt: 1_700_000_000_000,
    headers: {},
    payloadSize: 10,
    ...overrides,
  };
}

/** The DataSource behind a plain `{ query }`: no pool to find, so the recorder takes the INSERT path. */
export function insertOnly(dataSource: DataSource): RecorderDatabase {
  return { query: (sql, parameters) => dataSource.query(sql, parameters) };
}

/** Registers orders/billing with `rec` and waits until its subscription row is there. */
export async function registered(rec: ConsumptionRecorder, watcher: Client): Promise<void> {
  rec.onConsumerStarted({ topic: 'orders', group: 'billing', consumer: 'c1' });
  await waitFor(async () => (await watcher.query(`SELECT 1 FROM message_subscriptions`)).rows.length === 1, 'registration');
}

/** Until no backend of this database but the watcher's is busy: a cut connection's transaction has ended. */
export function settledOnServer(watcher: Client): Promise<unknown> {
  return waitFor(
    async () =>
      (
        await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
        )
      ).rows.length === 0,
    'the cut connection gone on the server',
  );
}

/**
 * Once a write of `rec` waits in a trigger on advisory lock `lock` (held by `watcher`), cuts the
 * connection, waits for the failed flush, then lets the server finish the statement — COMMIT
 * included — for nobody: a batch committed with its answer lost.
 */
export async function commitWithAnswerLost(rec: ConsumptionRecorder, watcher: Client, proxy: TcpProxy, lock: number): Promise<void> {
  await waitFor(
    async () =>
      (await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`)).rows
        .length === 1,
    'the write waiting in its trigger',
  );
  await proxy.cut();
  await waitFor(() => rec.getStats().failedFlushes >= 1, 'the failed flush');
  await watcher.query(`SELECT pg_advisory_unlock(${lock})`);
  await settledOnServer(watcher);
}

/**
 * Makes every INSERT (or COPY) into `table` wait, after taking its rows, for advisory lock `lock`,
 * which `watcher` now holds; with `messageId`, only one that takes that message's row.
 */
export async function holdWritesInto(watcher: Client, table: string, lock: number, messageId?: string): Promise<void> {
  const when = messageId ? `FOR EACH ROW WHEN (NEW.message_id = '${messageId}')` : 'FOR EACH STATEMENT';
  await watcher.query(`
    CREATE FUNCTION hold_test_writes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${lock});
      RETURN NULL;
    END $$;
    CREATE TRIGGER hold_test_writes AFTER INSERT ON ${table} ${when} EXECUTE FUNCTION hold_test_writes();`);
  await watcher.query(`SELECT pg_advisory_lock(${lock})`);
}
