// The `/msgpack` subpath: the MessagePack codec. Needs the optional peer `msgpackr`.
import { Packr, type Options } from 'msgpackr';
import type { PayloadCodec } from '../payload/payload-codec.interface.js';

/** Content type written by `msgpackCodec()`. */
export const MSGPACK_CONTENT_TYPE = 'application/msgpack';

/**
 * MessagePack codec (msgpackr) for `payload.codec` (client) and `payload.codecs` (server).
 * Record extensions are off by default so any MessagePack reader can decode the bytes.
 */
export function msgpackCodec(options: Options = {}): PayloadCodec {
  const packr = new Packr({ useRecords: false, ...options });
  return {
    contentType: MSGPACK_CONTENT_TYPE,
    encode: value => packr.pack(value),
    decode: bytes => packr.unpack(bytes),
  };
}
