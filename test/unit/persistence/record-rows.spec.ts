import type { MessagePublishedEvent, MessageSettledEvent } from '../../../lib/index.js';
import {
  consumptionColumns,
  consumptionStatusOf,
  messageColumns,
  toPgArray,
  traceIdOf,
} from '../../../lib/persistence/record-rows.js';

const HEADERS = { tenant: 'x-tenant-id', correlation: 'x-correlation-id' };

function settled(over: Partial<MessageSettledEvent> = {}): MessageSettledEvent {
  return {
    topic: 'orders',
    group: 'billing',
    consumer: 'c1',
    messageId: 'm1',
    entryId: '1700000000000-0',
    attempt: 1,
    outcome: 'acked',
    durationMs: 12,
    publishedAt: 1_700_000_000_000,
    ...over,
  };
}

describe('record rows', () => {
  describe(consumptionStatusOf.name, () => {
    it('should map every transport outcome to a consumption status', () => {
      expect(consumptionStatusOf('acked')).toBe('success');
      expect(consumptionStatusOf('retried')).toBe('retrying');
      expect(consumptionStatusOf('dead_lettered')).toBe('dead_letter');
      expect(consumptionStatusOf('dropped')).toBe('failed');
    });
  });

  describe(traceIdOf.name, () => {
    it('should take the trace id out of a W3C traceparent', () => {
      expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    });

    it('should ignore a missing or malformed traceparent', () => {
      expect(traceIdOf(undefined)).toBeNull();
      expect(traceIdOf('00-abc-def-01')).toBeNull();
      expect(traceIdOf('garbage')).toBeNull();
    });
  });

  describe(consumptionColumns.name, () => {
    it('should lay one batch out as one array per column, in INSERT order', () => {
      const events = [
        settled({ headers: { 'x-tenant-id': 't1' } }),
        settled({ messageId: undefined, attempt: 3, outcome: 'retried', error: 'boom', nextAttemptAt: 5_000, durationMs: 0.4 }),
      ];
      const cols = consumptionColumns(events, [10_000, 20_000], ['sub-billing', 'sub-billing'], HEADERS);
      expect(cols).toHaveLength(13);
      expect(cols.map(c => c[0])).toEqual([
        'sub-billing', 'm1', 'c1', '1700000000000-0', 'success', 12, null, 0, 10_000 - 12, 10_000, null, 't1', expect.any(String),
      ]);
      expect(cols.map(c => c[1])).toEqual([
        'sub-billing', null, 'c1', '1700000000000-0', 'retrying', 0, 'boom', 2, 20_000 - 0.4, 20_000, 5_000, null, expect.any(String),
      ]);
      // Row ids: time-ordered UUIDs made by the client, one per row.
      expect(cols[12][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(cols[12][1]).not.toBe(cols[12][0]);
    });

    it('should cut very long error messages', () => {
      const cols = consumptionColumns([settled({ error: 'x'.repeat(10_000), outcome: 'dead_lettered' })], [1], ['s'], HEADERS);
      expect((cols[6][0] as string).length).toBe(4_000);
    });
  });

  describe(messageColumns.name, () => {
    it('should fill a message record from a publish, with tenant, correlation, trace and expiry', () => {
      const event: MessagePublishedEvent = {
        topic: 'orders',
        messageId: 'm1',
        entryId: undefined,
        publishedAt: 1_000,
        deliverAt: 6_000,
        key: 'customer-42',
        headers: {
          'x-tenant-id': 't1',
          'x-correlation-id': 'corr-1',
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        },
        payloadSize: 256,
      };
      const cols = messageColumns([event], () => 'topic-id', () => 60_000, 'producer-1', HEADERS);
      expect(cols.map(c => c[0])).toEqual([
        'topic-id', 'm1', 'customer-42', 'corr-1', JSON.stringify(event.headers), 256, null,
        1_000, 6_000, 61_000, 'producer-1', 't1', '4bf92f3577b34da6a3ce929d0e0e4736', expect.any(String),
      ]);
    });

    it('should fit strings to their columns and keep headers whole, with only what jsonb refuses replaced', () => {
      const event: MessagePublishedEvent = {
        topic: 'orders',
        messageId: 'm'.repeat(70),
        entryId: `1-\u0000`,
        publishedAt: 1_000,
        key: 'k'.repeat(300),
        headers: { 'x-tenant-id': 't'.repeat(70), 'x-correlation-id': `c\u0000`, 'x-\u0000': 'lone \udc00 \ud800 pair \u{1F600}' },
        payloadSize: 1,
      };
      const row = messageColumns([event], () => 'topic-id', () => 0, 'p'.repeat(300), HEADERS).map(c => c[0]);
      expect(row.slice(1, 4)).toEqual(['m'.repeat(64), 'k'.repeat(255), 'c\uFFFD']);
      expect(row[6]).toBe('1-\uFFFD');
      expect(row[10]).toBe('p'.repeat(255));
      expect(row[11]).toBe('t'.repeat(64));
      expect(JSON.parse(row[4] as string)).toEqual({
        'x-tenant-id': 't'.repeat(70),
        'x-correlation-id': 'c\uFFFD',
        'x-\uFFFD': 'lone \uFFFD \uFFFD pair \u{1F600}',
      });
      // Nothing to replace: the JSON of the headers as they are.
      const plain = { ...event, headers: { a: 'back\\slash \\u0000 as text, \u{1F600}' } };
      expect(messageColumns([plain], () => 't', () => 0, 'p', HEADERS)[4][0]).toBe(JSON.stringify(plain.headers));
    });
  });
});

describe(toPgArray.name, () => {
  it('should quote strings, escape only quotes and backslashes, and write NULL for missing values', () => {
    expect(toPgArray(['a', 'b c', 'x,{y}', 'NULL', null, undefined])).toBe('{"a","b c","x,{y}","NULL",NULL,NULL}');
    expect(toPgArray(['say "hi"\\n', 'line\nbreak'])).toBe('{"say \\"hi\\"\\\\n","line\nbreak"}');
  });

  it('should take the fast paths and the slow one alike', () => {
    expect(toPgArray(['a', 'b'])).toBe('{"a","b"}');
    expect(toPgArray(['a', 'b"c'])).toBe('{"a","b\\"c"}');
    expect(toPgArray([null, undefined, null])).toBe('{NULL,NULL,NULL}');
    expect(toPgArray([1, 2])).toBe('{1,2}');
    expect(toPgArray([1, null, 'x'])).toBe('{1,NULL,"x"}');
  });

  it('should write numbers bare and non-finite ones as NULL', () => {
    expect(toPgArray([1, 2.5, -3, Number.NaN, Infinity])).toBe('{1,2.5,-3,NULL,NULL}');
    expect(toPgArray([])).toBe('{}');
  });
});
