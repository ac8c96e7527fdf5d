import type { DataSource } from 'typeorm';
import type { MessagePublishedEvent, MessageSettledEvent } from '../../../lib/index.js';
import type { RecorderDatabase } from '../../../lib/persistence/consumption-recorder.js';

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
