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
} as const;

/** A message as the producer wrote it. */
export interface Envelope {
  id: string;
  publishedAt: number;
  /** JSON text of the payload. */
  data: string;
  headers?: Record<string, string>;
  key?: string;
  deliverAt?: number;
  correlationId?: string;
  replyTo?: string;
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
}
