import type { ProducerSerializer, ReadPacket } from '@nestjs/microservices';
import { encodeEnvelope } from '../codec/envelope.codec.js';
import type { Envelope } from '../codec/envelope.js';
import { DEFAULT_DEDUPLICATION_WINDOW_MS } from '../constants.js';
import { randomUuid } from '../ids/uuid.js';
import type { RedisStreamsClientOptions } from '../interfaces/redis-streams-client-options.interface.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsRecord } from '../record-builders/redis-streams.record-builder.js';
import type { PayloadPipeline } from '../payload/payload-pipeline.js';
import type { PublishCall } from '../scripts/redis-streams-scripts.js';
import type { MessageTracing } from '../tracing/message-tracing.interface.js';

/** One message ready to write: its envelope, its fields and, when it needs the publish script, the call. */
export interface PreparedPublish {
  envelope: Envelope;
  fields: string[];
  script: PublishCall | undefined;
  /** Ends the producer span once the write's outcome is known (tracing only). */
  sent?: (error?: unknown) => void;
}

/** What preparing a publish needs from its client. */
export interface PublishContext {
  keys: StreamKeys;
  serializer: ProducerSerializer;
  options: RedisStreamsClientOptions;
  /** Encodes payloads when `options.payload` is set (codec, compression, encryption, schema). */
  payload?: PayloadPipeline;
  tracing?: MessageTracing;
}

/**
 * Builds what to write for one packet: the payload through the serializer, the record's options
 * (headers, key, delay, dedup) and Nest's packet metadata as headers. A message that needs no
 * check (no delay, dedup or `maxLen`) is a plain XADD; the others go through the publish script.
 */
export function preparePublish(
  c: PublishContext,
  topic: string,
  packet: ReadPacket,
  request?: { correlationId: string; replyTo: string },
): PreparedPublish {
  const record = packet.data instanceof RedisStreamsRecord ? packet.data : undefined;
  const data = record ? record.data : packet.data;
  const serialized = c.serializer.serialize(record ? { ...packet, data } : packet);
  const payload = serialized && typeof serialized === 'object' && 'data' in serialized ? serialized.data : serialized;
  const opts = record?.options;
  let headers = packet.metadata || opts?.headers ? { ...packet.metadata, ...opts?.headers } : undefined;
  const now = Date.now();
  const dueAt = opts?.deliverAt !== undefined && opts.deliverAt > now ? opts.deliverAt : 0;
  const id = opts?.messageId ?? randomUuid();
  const encoded = c.payload ? c.payload.encode(topic, id, payload) : undefined;
  const sent = c.tracing?.startSend({ topic, messageId: id, headers: (headers ??= {}) });
  const envelope: Envelope = {
    id,
    publishedAt: now,
    data: encoded ? encoded.data : JSON.stringify(payload ?? null),
    format: encoded?.format,
    headers,
    key: opts?.key,
    deliverAt: dueAt || undefined,
    correlationId: request?.correlationId,
    replyTo: request?.replyTo,
  };
  const fields = encodeEnvelope(envelope);
  const maxLen = maxLenOf(c.options, topic);
  const dedupId = opts?.deduplicationId;
  if (!maxLen && !dedupId && !dueAt) return { envelope, fields, script: undefined, sent };
  return {
    envelope,
    fields,
    sent,
    script: {
      keys: { stream: c.keys.stream(topic), delayed: c.keys.delayed(topic), dedup: c.keys.dedup(topic, dedupId ?? '') },
      maxLen,
      deduplicationWindowMs: dedupId ? (c.options.deduplicationWindowMs ?? DEFAULT_DEDUPLICATION_WINDOW_MS) : 0,
      dueAt,
      messageId: envelope.id,
      fields,
    },
  };
}

function maxLenOf(options: RedisStreamsClientOptions, topic: string): number {
  const maxLen = options.maxLen;
  if (maxLen === undefined) return 0;
  if (typeof maxLen === 'number') return maxLen;
  return (typeof maxLen === 'function' ? maxLen(topic) : maxLen[topic]) ?? 0;
}
