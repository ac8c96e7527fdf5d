/**
 * The envelope: field names of a topic's stream entries.
 *
 * | field     | holds                                                        |
 * |-----------|--------------------------------------------------------------|
 * | `id`      | message id (UUID v4), stable across retries and replays      |
 * | `ts`      | published-at, epoch ms — delayed messages only: otherwise the |
 * |           | entry id's milliseconds are the publish time (one field less) |
 * | `data`    | the payload, JSON                                             |
 * | `headers` | JSON object of string → string (omitted when empty)          |
 * | `key`     | ordering / partition key (omitted when unset)                |
 * | `due`     | epoch ms it was scheduled for (delayed messages only)         |
 * | `corr`    | correlation id of a request (`client.send`)                   |
 * | `reply`   | the requesting client's private reply stream                  |
 * | `ct`      | content type of `data` (omitted for JSON, the default)        |
 * | `ce`      | content encoding: `gzip`, `br` or `zstd` (omitted: none)      |
 * | `kid`     | id of the key `data` is encrypted with (omitted: plaintext)   |
 *
 * An entry with any of `ct`, `ce` or `kid` carries `data` as base64 bytes: key id → AES-256-GCM
 * `iv | ciphertext | tag`, then the encoding, then the codec named by the content type.
 */
export const ENVELOPE_FIELDS = {
  id: 'id',
  publishedAt: 'ts',
  data: 'data',
  headers: 'headers',
  key: 'key',
  deliverAt: 'due',
  correlationId: 'corr',
  replyTo: 'reply',
  contentType: 'ct',
  contentEncoding: 'ce',
  keyId: 'kid',
} as const;

/** How an entry's `data` is encoded when it is not plain JSON text (see `ENVELOPE_FIELDS`). */
export interface PayloadFormat {
  /** Content type of the codec's output; `undefined` = JSON. */
  contentType: string | undefined;
  /** Compression applied after the codec; `undefined` = none. */
  contentEncoding: string | undefined;
  /** Key id of the AES-256-GCM encryption applied last; `undefined` = plaintext. */
  keyId: string | undefined;
}

/** A message as the producer wrote it. */
export interface Envelope {
  id: string;
  publishedAt: number;
  /** JSON text of the payload, or base64 bytes when `format` is set. */
  data: string;
  headers?: Record<string, string>;
  key?: string;
  deliverAt?: number;
  correlationId?: string;
  replyTo?: string;
  /** Set when `data` is not plain JSON text (another codec, compressed or encrypted). */
  format?: PayloadFormat;
}

/** A decoded entry, payload parsed. */
export interface DecodedEnvelope {
  id: string;
  publishedAt: number;
  data: unknown;
  headers: Record<string, string>;
  key: string | undefined;
  deliverAt: number | undefined;
  correlationId: string | undefined;
  replyTo: string | undefined;
  /**
   * Set when the entry's payload is encoded (codec, compression, encryption): `data` is then the
   * raw base64 text, decoded by the server's payload pipeline before any handler sees it.
   */
  format?: PayloadFormat;
}
