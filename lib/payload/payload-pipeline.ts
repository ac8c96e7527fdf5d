import type { PayloadFormat } from '../codec/envelope.js';
import { PayloadValidationError } from '../errors/payload-validation.error.js';
import { compress, decompress } from './compression.js';
import { decryptPayload, encryptPayload } from './encryption.js';
import { jsonCodec } from './json.codec.js';
import { JSON_CONTENT_TYPE, type PayloadCodec } from './payload-codec.interface.js';
import { DEFAULT_COMPRESSION_THRESHOLD_BYTES, type PayloadCompression, type PayloadOptions } from './payload-options.interface.js';

/** An encoded payload: the entry's `data` and, when it is not plain JSON text, its format. */
export interface EncodedPayload {
  data: string;
  format: PayloadFormat | undefined;
}

/**
 * Encodes payloads for the client (validate → codec → compress → encrypt) and decodes them for
 * the server (decrypt → decompress → codec → validate). Pure: no I/O, no state but the options.
 */
export class PayloadPipeline {
  private readonly codecOf: (topic: string) => PayloadCodec;
  private readonly compressionOf: (topic: string) => PayloadCompression | undefined;
  private readonly decoders = new Map<string, PayloadCodec>();

  constructor(private readonly options: PayloadOptions) {
    const { codec, compression } = options;
    this.codecOf = typeof codec === 'function' ? topic => codec(topic) ?? jsonCodec : () => codec ?? jsonCodec;
    this.compressionOf = typeof compression === 'function' ? compression : () => compression;
    const own = codec && typeof codec !== 'function' ? [codec] : [];
    for (const c of [jsonCodec, ...(options.codecs ?? []), ...own]) this.decoders.set(c.contentType, c);
  }

  /** Throws `PayloadValidationError` when `payload` does not match the topic's schema. */
  validate(topic: string, payload: unknown): void {
    const errors = this.options.schemas?.validate(topic, payload);
    if (errors?.length) throw new PayloadValidationError(topic, errors);
  }

  /** The entry `data` (and format) of a message: validated, then encoded, compressed, encrypted. */
  encode(topic: string, messageId: string, payload: unknown): EncodedPayload {
    this.validate(topic, payload);
    const keyId = this.options.keys?.keyIdFor(topic);
    const compression = this.compressionOf(topic);
    const codec = this.codecOf(topic);
    const isJson = codec === jsonCodec;
    if (isJson && !compression && keyId === undefined) return { data: JSON.stringify(payload ?? null), format: undefined };
    let bytes: Uint8Array = codec.encode(payload, topic);
    let contentEncoding: string | undefined;
    if (compression && bytes.length >= (compression.thresholdBytes ?? DEFAULT_COMPRESSION_THRESHOLD_BYTES)) {
      bytes = compress(compression.algorithm, bytes);
      contentEncoding = compression.algorithm;
    }
    if (keyId !== undefined) {
      const key = this.options.keys!.getKey(keyId);
      if (!key) throw new Error(`Key provider has no key "${keyId}" (named for topic "${topic}")`);
      bytes = encryptPayload(key, bytes, topic, messageId);
    }
    const contentType = isJson ? undefined : codec.contentType;
    if (contentType === undefined && contentEncoding === undefined && keyId === undefined) {
      return { data: Buffer.from(bytes).toString('utf8'), format: undefined }; // JSON below the threshold
    }
    return { data: toBase64(bytes), format: { contentType, contentEncoding, keyId } };
  }

  /**
   * Decodes the `data` of an entry with `format`. Throws when it cannot (unknown key or codec,
   * failed authentication, corrupt bytes): such a message can never be handled.
   */
  decode(topic: string, messageId: string, data: string, format: PayloadFormat): unknown {
    let bytes: Buffer = Buffer.from(data, 'base64');
    if (format.keyId !== undefined) {
      const key = this.options.keys?.getKey(format.keyId);
      if (!key) throw new Error(`no key "${format.keyId}" to decrypt the payload`);
      try {
        bytes = decryptPayload(key, bytes, topic, messageId);
      } catch (err) {
        throw new Error(`payload does not decrypt with key "${format.keyId}" for this topic and message id (${(err as Error).message})`);
      }
    }
    if (format.contentEncoding !== undefined) bytes = decompress(format.contentEncoding, bytes);
    const contentType = format.contentType ?? JSON_CONTENT_TYPE;
    const codec = this.decoders.get(contentType);
    if (!codec) throw new Error(`no codec registered for content type "${contentType}"`);
    return codec.decode(bytes, topic);
  }

  /** Whether the server validates payloads before its handlers. */
  get validatesOnConsume(): boolean {
    return this.options.validateOnConsume === true && this.options.schemas !== undefined;
  }
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
