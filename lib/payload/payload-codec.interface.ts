/**
 * Turns payloads into bytes and back: the hook for binary formats (MessagePack, Avro, Protobuf).
 * A producer writes its codec's `contentType` into every entry; a consumer decodes with the codec
 * registered under that content type, so producers with different codecs can share a topic.
 */
export interface PayloadCodec {
  /** Written into the entry (`ct`); e.g. `application/x-msgpack`. JSON is `application/json`. */
  readonly contentType: string;
  /** Encodes the (serialized) payload of a message published to `topic`. */
  encode(value: unknown, topic: string): Uint8Array;
  /** Decodes what `encode` produced, for a message consumed from `topic`. */
  decode(bytes: Buffer, topic: string): unknown;
}

/** Content type of the default codec (entries without a `ct` field). */
export const JSON_CONTENT_TYPE = 'application/json';
