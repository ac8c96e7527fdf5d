import type { CompressionAlgorithm } from './compression.js';
import type { PayloadCodec } from './payload-codec.interface.js';
import type { PayloadKeyProvider } from './payload-key-provider.interface.js';
import type { PayloadSchemaValidator } from './schema-validator.interface.js';

/**
 * How payloads are encoded (client) and decoded (server): codec, compression, encryption,
 * schema validation. Every part is optional; without any, payloads are plain JSON text.
 */
export interface PayloadOptions {
  /**
   * Codec of the messages this client publishes (e.g. `msgpackCodec()` from the `/msgpack`
   * subpath, or your own Avro/Protobuf codec), or a function choosing it per topic (`undefined` =
   * JSON). A server also decodes with it. @defaultValue JSON
   */
  codec?: PayloadCodec | ((topic: string) => PayloadCodec | undefined);
  /**
   * Further codecs a server decodes with, by content type (a consumer decodes whatever any
   * producer version wrote). `codec` and JSON are always included. @defaultValue none
   */
  codecs?: PayloadCodec[];
  /**
   * Compresses encoded payloads of at least `thresholdBytes` (smaller ones gain nothing).
   * Servers decompress gzip, br (and zstd where the runtime has it) whatever this says.
   * @defaultValue none
   */
  compression?: PayloadCompression | ((topic: string) => PayloadCompression | undefined);
  /**
   * AES-256-GCM payload encryption: the key provider names each topic's current key and returns
   * keys by id for decryption. Headers stay readable (routing, tracing). @defaultValue none
   */
  keys?: PayloadKeyProvider;
  /**
   * Per-topic schemas: a client rejects an invalid payload at `emit` with `PayloadValidationError`
   * (nothing is written); a server checks on consume when `validateOnConsume` is set.
   * @defaultValue none
   */
  schemas?: PayloadSchemaValidator;
  /**
   * Server: an invalid payload is dead-lettered as unrecoverable, without calling the handler.
   * @defaultValue false
   */
  validateOnConsume?: boolean;
}

/** Compression of a topic's payloads: the algorithm, applied from `thresholdBytes` (default 1024). */
export interface PayloadCompression {
  algorithm: CompressionAlgorithm;
  thresholdBytes?: number;
}

/** Compression threshold when `compression.thresholdBytes` is not set. */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 1024;
