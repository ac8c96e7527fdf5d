import type {
  MessageOutcome,
  MessagePublishedEvent,
  MessageSettledEvent,
} from '../observer/redis-streams-observer.interface.js';
import { uuidV7Batch } from '../ids/uuid.js';
import type { ConsumptionStatus } from './entities/consumption-record.entity.js';
import { MAX_ERROR_MESSAGE_LENGTH } from './persistence.constants.js';

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
 * here (the last column), cheaper for PostgreSQL to index than random ones; `knownIds` are those
 * of the first rows when an earlier attempt gave them theirs.
 */
export function consumptionColumns(
  events: readonly MessageSettledEvent[],
  settledAt: readonly number[],
  subscriptionIds: readonly string[],
  headers: RowHeaders,
  knownIds: readonly string[] = [],
): unknown[][] {
  const n = events.length;
  const cols: unknown[][] = Array.from({ length: 12 }, () => new Array(n));
  const known = Math.min(knownIds.length, n);
  cols.push(known ? knownIds.slice(0, known).concat(uuidV7Batch(n - known)) : uuidV7Batch(n));
  for (let i = 0; i < n; i++) {
    const e = events[i];
    const at = settledAt[i];
    cols[0][i] = subscriptionIds[i];
    cols[1][i] = e.messageId == null ? null : fit(e.messageId, 64);
    cols[2][i] = fit(e.consumer, 255);
    cols[3][i] = fit(e.entryId, 64);
    cols[4][i] = consumptionStatusOf(e.outcome);
    cols[5][i] = Math.max(0, Math.round(e.durationMs));
    cols[6][i] = e.error == null ? null : fit(e.error, MAX_ERROR_MESSAGE_LENGTH);
    cols[7][i] = Math.max(0, e.attempt - 1);
    cols[8][i] = at - e.durationMs;
    cols[9][i] = at;
    cols[10][i] = e.nextAttemptAt ?? null;
    const tenant = e.headers?.[headers.tenant];
    cols[11][i] = tenant == null ? null : fit(tenant, 64);
  }
  return cols;
}

/**
 * A string PostgreSQL takes into a column of `max` characters (the lengths of the
 * `consumption_records` and `message_records` columns): cut to it, and NUL, which text cannot
 * hold, replaced by U+FFFD. A value it would refuse (a long tenant header, a NUL in an error
 * message) would fail its whole batch, and the record would be lost.
 */
export function fit(value: string, max: number): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  return cut.includes('\u0000') ? cut.replaceAll('\u0000', '\uFFFD') : cut;
}

/** A NUL or an unpaired surrogate escaped by `JSON.stringify` (as `\u0000`, `\ud800`): jsonb refuses both. */
const JSON_REFUSED = /\\u(?:0000|d[89a-f])/i;
/** NUL and unpaired UTF-16 surrogates (a pair is one character: it stays). */
const NOT_JSONB_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The headers as JSON text jsonb takes: names and values whole (jsonb has no length limit), with
 * NUL and unpaired surrogates, whose escapes jsonb refuses, replaced by U+FFFD.
 */
function headersJson(headers: Record<string, string>): string {
  const json = JSON.stringify(headers);
  if (!JSON_REFUSED.test(json)) return json;
  const fitted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    fitted[name.replace(NOT_JSONB_TEXT, '\uFFFD')] = typeof value === 'string' ? value.replace(NOT_JSONB_TEXT, '\uFFFD') : value;
  }
  return JSON.stringify(fitted);
}

/**
 * Column arrays of a multi-row insert into `message_records` (order matches `INSERT_MESSAGES`),
 * row ids (time-ordered UUIDs) last, strings fitted to their columns. The payload itself is not
 * kept: the observer only sees its size.
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
  const producer = fit(producerId, 255);
  for (let i = 0; i < n; i++) {
    const e = events[i];
    const correlation = e.headers[headers.correlation];
    const tenant = e.headers[headers.tenant];
    cols[0][i] = topicIdOf(e);
    cols[1][i] = e.messageId == null ? null : fit(e.messageId, 64);
    cols[2][i] = e.key == null ? null : fit(e.key, 255);
    cols[3][i] = correlation == null ? null : fit(correlation, 255);
    cols[4][i] = headersJson(e.headers);
    cols[5][i] = e.payloadSize;
    cols[6][i] = e.entryId == null ? null : fit(e.entryId, 64);
    cols[7][i] = e.publishedAt;
    cols[8][i] = e.deliverAt ?? null;
    cols[9][i] = e.publishedAt + retentionMsOf(e);
    cols[10][i] = producer;
    cols[11][i] = tenant == null ? null : fit(tenant, 64);
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

/** How `consumptionCopyText` writes each column of `consumptionColumns`: epoch ms become timestamps. */
const CONSUMPTION_COPY_KINDS: readonly ('value' | 'timestamp')[] = [
  'value', 'value', 'value', 'value', 'value', 'value', 'value', 'value',
  'timestamp', 'timestamp', 'timestamp', 'value', 'value',
];

/** Characters with a meaning in COPY's text format; everything else travels as is. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * The rows of `consumptionColumns` as `COPY … FROM STDIN` text (tab-separated, one line per row,
 * `\N` for NULL), in the column order of `COPY_CONSUMPTION`. Every value becomes what the
 * `INSERT_CONSUMPTION` path stores: strings escaped, non-finite numbers NULL like `toPgArray`
 * makes them, epoch ms as the timestamp `to_timestamp(ms / 1000)` gives.
 */
export function consumptionCopyText(cols: readonly (readonly unknown[])[]): string {
  const n = cols[0]?.length ?? 0;
  const width = cols.length;
  let out = '';
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < width; c++) {
      const v = cols[c][i];
      if (c) out += '\t';
      out += CONSUMPTION_COPY_KINDS[c] === 'timestamp' ? copyTimestamp(v) : copyValue(v);
    }
    out += '\n';
  }
  return out;
}

function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  const str = String(v);
  return COPY_SPECIAL.test(str) ? str.replace(/[\\\t\n\r]/g, ch => COPY_ESCAPES[ch]) : str;
}

/** Seconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_SECONDS = 946_684_800;

/** The last second `copyTimestamp` formatted: rows of a batch share a few seconds at most. */
let cachedSecond = NaN;
let cachedPrefix = '';

/**
 * The timestamp PostgreSQL's `to_timestamp(ms / 1000)` makes of epoch ms, as COPY text in UTC with
 * microseconds: the same float8 steps (÷ 1000, to PostgreSQL's epoch, × 10⁶, round half to even)
 * give the same microsecond, so both paths store identical values.
 */
export function copyTimestamp(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '\\N';
  const us = roundHalfEven((ms / 1000 - PG_EPOCH_SECONDS) * 1e6) + PG_EPOCH_SECONDS * 1e6;
  const seconds = Math.floor(us / 1e6);
  const micros = us - seconds * 1e6;
  if (seconds !== cachedSecond) {
    cachedPrefix = `${new Date(seconds * 1000).toISOString().slice(0, 19)}.`;
    cachedSecond = seconds;
  }
  return `${cachedPrefix}${String(micros).padStart(6, '0')}+00`;
}

/** C's `rint` in the default rounding mode: to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
