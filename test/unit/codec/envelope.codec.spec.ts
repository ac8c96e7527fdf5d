import { decodeEnvelope, encodeEnvelope, fieldsToObject } from '../../../lib/codec/envelope.codec.js';

describe('envelope codec', () => {
  describe('encodeEnvelope', () => {
    it('should write id, ts and data, and leave out empty headers and an unset key', () => {
      expect(encodeEnvelope({ id: 'm1', publishedAt: 5, data: '{"a":1}', headers: {} })).toEqual([
        'id', 'm1', 'ts', '5', 'data', '{"a":1}',
      ]);
    });

    it('should write headers as JSON and the key', () => {
      const fields = encodeEnvelope({ id: 'm1', publishedAt: 5, data: '1', headers: { a: 'b' }, key: 'k' });
      expect(fieldsToObject(fields)).toEqual({ id: 'm1', ts: '5', data: '1', headers: '{"a":"b"}', key: 'k' });
    });
  });

  describe('decodeEnvelope', () => {
    it('should round-trip an encoded envelope', () => {
      const fields = encodeEnvelope({ id: 'm1', publishedAt: 1700, data: '{"x":[1,2]}', headers: { t: '1' }, key: 'k', deliverAt: 1800 });
      expect(decodeEnvelope(fields)).toEqual({
        id: 'm1', publishedAt: 1700, data: { x: [1, 2] }, headers: { t: '1' }, key: 'k', deliverAt: 1800, correlationId: undefined, replyTo: undefined,
      });
    });

    it('should give empty headers and no key when absent', () => {
      expect(decodeEnvelope(['id', 'm', 'ts', '1', 'data', 'null'])).toEqual({
        id: 'm', publishedAt: 1, data: null, headers: {}, key: undefined, deliverAt: undefined, correlationId: undefined, replyTo: undefined,
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
      const result = decodeEnvelope(fields as string[] | null);
      expect(typeof result).toBe('string');
      expect(result).toContain(reason);
    });
  });
});
