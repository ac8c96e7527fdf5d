import { decodeEnvelope, encodeEnvelope } from '../../../lib/codec/envelope.codec.js';

describe('envelope payload format', () => {
  it('should write ct, ce and kid only when set and hand the raw data back undecoded', () => {
    const fields = encodeEnvelope({
      id: 'm1',
      publishedAt: 1,
      data: 'AAEC',
      format: { contentType: 'application/msgpack', contentEncoding: 'gzip', keyId: 'k1' },
    });
    expect(fields).toEqual(['id', 'm1', 'data', 'AAEC', 'ct', 'application/msgpack', 'ce', 'gzip', 'kid', 'k1']);
    const decoded = decodeEnvelope(fields, '5-0');
    expect(decoded).toMatchObject({ id: 'm1', data: 'AAEC', format: { contentType: 'application/msgpack', contentEncoding: 'gzip', keyId: 'k1' } });
  });

  it('should leave plain JSON entries as they were (no format, parsed data)', () => {
    const fields = encodeEnvelope({ id: 'm1', publishedAt: 1, data: '{"a":1}' });
    expect(fields).toEqual(['id', 'm1', 'data', '{"a":1}']);
    const decoded = decodeEnvelope(fields, '5-0');
    expect(decoded).toMatchObject({ data: { a: 1 } });
    expect((decoded as { format?: unknown }).format).toBeUndefined();
  });
});
