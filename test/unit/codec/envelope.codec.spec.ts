import { decodeEnvelope, encodeEnvelope, fieldsToObject } from '../../../lib/codec/envelope.codec.js';

describe('envelope codec', () => {
  describe('encodeEnvelope', () => {
    it('should write id and data, and leave out the publish time, empty headers and an unset key', () => {
      expect(encodeEnvelope({ id: 'm1', publishedAt: 5, data: '{"a":1}', headers: {} })).toEqual([
        'id', 'm1', 'data', '{"a":1}',
      ]);
    });

    it('should write headers as JSON, the key, and for a delayed message its publish and due times', () => {
      const fields = encodeEnvelope({ id: 'm1', publishedAt: 5, data: '1', headers: { a: 'b' }, key: 'k', deliverAt: 9 });
      expect(fieldsToObject(fields)).toEqual({ id: 'm1', ts: '5', data: '1', headers: '{"a":"b"}', key: 'k', due: '9' });
    });
  });

  describe('decodeEnvelope', () => {
    it('should round-trip an encoded envelope', () => {
      const fields = encodeEnvelope({ id: 'm1', publishedAt: 1700, data: '{"x":[1,2]}', headers: { t: '1' }, key: 'k', deliverAt: 1800 });
      expect(decodeEnvelope(fields, '1-0')).toEqual({
        id: 'm1', publishedAt: 1700, data: { x: [1, 2] }, headers: { t: '1' }, key: 'k', deliverAt: 1800, correlationId: undefined, replyTo: undefined,
      });
    });

    it('should take the publish time from the entry id when there is no ts, and give empty headers', () => {
      expect(decodeEnvelope(['id', 'm', 'data', 'null'], '1700000000123-4')).toEqual({
        id: 'm', publishedAt: 1700000000123, data: null, headers: {}, key: undefined, deliverAt: undefined, correlationId: undefined, replyTo: undefined,
      });
    });

    it.each([
      [null, 'no field list'],
      [['id'], 'odd number'],
      [['ts', '1', 'data', '1'], 'missing "id"'],
      [['id', 'm', 'ts', '1'], 'missing "data"'],
      [['id', 'm', 'ts', 'x', 'data', '1'], 'invalid "ts"'],
      [['id', 'm', 'ts', '1', 'data', '{oops'], '"data" is not JSON'],
      [['id', 'm', 'ts', '1', 'data', '1', 'headers', '[1]'], 'not a JSON object'],
      [['id', 'm', 'ts', '1', 'data', '1', 'headers', '{"a":1}'], 'values must be strings'],
    ])('should describe what is wrong with %j', (fields, reason) => {
      const result = decodeEnvelope(fields as string[] | null, '1-0');
      expect(typeof result).toBe('string');
      expect(result).toContain(reason);
    });
  });
});
