import { JSON_CONTENT_TYPE, type PayloadCodec } from './payload-codec.interface.js';

/**
 * The default codec. Uncompressed, unencrypted JSON payloads are written as plain JSON text (no
 * `ct` field, readable with `XRANGE`); the codec is used when JSON is compressed or encrypted.
 */
export const jsonCodec: PayloadCodec = {
  contentType: JSON_CONTENT_TYPE,
  encode: value => Buffer.from(JSON.stringify(value ?? null)),
  decode: bytes => JSON.parse(bytes.toString('utf8')),
};
