import type {
  MessageOutcome,
  MessagePublishedEvent,
  MessageSettledEvent,
} from '../observer/redis-streams-observer.interface.js';
import type { ConsumptionStatus } from './entities/consumption-record.entity.js';
import { MAX_ERROR_MESSAGE_LENGTH } from './persistence.constants.js';
import { uuidV7Batch } from './uuid-v7.js';

/** Transport outcome → `consumption_records.status`. */
export function consumptionStatusOf(outcome: MessageOutcome): ConsumptionStatus {
  switch (outcome) {
    case 'acked':
      return 'success';
    case 'retried':
      return 'retrying';
    case 'dead_lettered':
      return 'dead_letter';
    case 'dropped':
      return 'failed';
  }
}

/** The trace id of a W3C `traceparent` header (`00-<trace-id>-<span-id>-<flags>`). */
export function traceIdOf(traceparent: string | undefined): string | null {
  if (!traceparent) return null;
  const parts = traceparent.split('-');
  return parts.length >= 4 && /^[0-9a-f]{32}$/.test(parts[1]) ? parts[1] : null;
}

/** Header names the rows read. */
export interface RowHeaders {
  tenant: string;
  correlation: string;
}

/**
 * Column arrays of a multi-row `INSERT … SELECT FROM unnest(…)` into `consumption_records`:
 * one bind parameter per column, whatever the batch size (the order matches `INSERT_CONSUMPTION`).
 * Times travel as epoch ms and are converted by PostgreSQL. Row ids are time-ordered UUIDs made
 * here (the last column), cheaper for PostgreSQL to index than random ones.
 */
export function consumptionColumns(
  events: readonly MessageSettledEvent[],
  settledAt: readonly number[],
  subscriptionIds: readonly string[],
  headers: RowHeaders,
): unknown[][] {
  const n = events.length;
  const cols: unknown[][] = Array.from({ length: 12 }, () => new Array(n));
  cols.push(uuidV7Batch(n));
  for (let i = 0; i < n; i++) {
    const e = events[i];
    const at = settledAt[i];
    cols[0][i] = subscriptionIds[i];
    cols[1][i] = e.messageId ?? null;
    cols[2][i] = e.consumer;
    cols[3][i] = e.entryId;
    cols[4][i] = consumptionStatusOf(e.outcome);
    cols[5][i] = Math.max(0, Math.round(e.durationMs));
    cols[6][i] = e.error === undefined ? null : e.error.slice(0, MAX_ERROR_MESSAGE_LENGTH);
    cols[7][i] = Math.max(0, e.attempt - 1);
    cols[8][i] = at - e.durationMs;
    cols[9][i] = at;
    cols[10][i] = e.nextAttemptAt ?? null;
    cols[11][i] = e.headers?.[headers.tenant] ?? null;
  }
  return cols;
}

/**
 * Column arrays of a multi-row insert into `message_records` (order matches `INSERT_MESSAGES`),
 * row ids (time-ordered UUIDs) last. The payload itself is not kept: the observer only sees its size.
 */
export function messageColumns(
  events: readonly MessagePublishedEvent[],
  topicIdOf: (event: MessagePublishedEvent) => string,
  retentionMsOf: (event: MessagePublishedEvent) => number,
  producerId: string,
  headers: RowHeaders,
): unknown[][] {
  const n = events.length;
  const cols: unknown[][] = Array.from({ length: 13 }, () => new Array(n));
  cols.push(uuidV7Batch(n));
  for (let i = 0; i < n; i++) {
    const e = events[i];
    cols[0][i] = topicIdOf(e);
    cols[1][i] = e.messageId;
    cols[2][i] = e.key ?? null;
    cols[3][i] = e.headers[headers.correlation] ?? null;
    cols[4][i] = JSON.stringify(e.headers);
    cols[5][i] = e.payloadSize;
    cols[6][i] = e.entryId ?? null;
    cols[7][i] = e.publishedAt;
    cols[8][i] = e.deliverAt ?? null;
    cols[9][i] = e.publishedAt + retentionMsOf(e);
    cols[10][i] = producerId;
    cols[11][i] = e.headers[headers.tenant] ?? null;
    cols[12][i] = traceIdOf(e.headers.traceparent);
  }
  return cols;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A PostgreSQL array literal (`{1,NULL,"a b"}`) of one column. Every string element is quoted, so
 * only `"` and `\` need escaping; passed as text, it spares the driver's per-element conversion.
 * Runs once per column per batch, so the common shapes (no NULL, nothing to escape, all NULL)
 * take a `join` instead of a loop.
 */
export function toPgArray(values: readonly unknown[]): string {
  const n = values.length;
  if (n === 0) return '{}';
  let strings = 0;
  let numbers = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'string') strings++;
    else if (typeof v === 'number' && Number.isFinite(v)) numbers++;
    else if (v === null || v === undefined) nulls++;
  }
  if (nulls === n) return `{${'NULL,'.repeat(n - 1)}NULL}`;
  if (numbers === n) return `{${values.join(',')}}`;
  if (strings === n) {
    const body = values.join('","');
    if (!NEEDS_ESCAPE.test(body)) return `{"${body}"}`;
  }
  let out = '{';
  for (let i = 0; i < n; i++) {
    if (i) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : 'NULL';
    else {
      const str = String(v);
      out += NEEDS_ESCAPE.test(str) ? `"${str.replace(/["\\]/g, '\\$&')}"` : `"${str}"`;
    }
  }
  return `${out}}`;
}
