import { fieldsToObject } from '../codec/envelope.codec.js';
import { ENVELOPE_FIELDS } from '../codec/envelope.js';
import { PayloadPipeline as PayloadPipelineClass, type PayloadPipeline } from '../payload/payload-pipeline.js';
import type { DeadLetter } from './admin.types.js';

/**
 * Reads a dead-letter stream entry (see deadLetter-5.lua for the fields); an encoded payload is
 * decoded with `payload` (the admin's options), or left as stored with `payloadError`.
 */
export function decodeDeadLetter(entryId: string, fields: string[], payload?: PayloadPipeline): DeadLetter {
  const f = fieldsToObject(fields);
  const encoded = f[ENVELOPE_FIELDS.contentType] ?? f[ENVELOPE_FIELDS.contentEncoding] ?? f[ENVELOPE_FIELDS.keyId];
  if (encoded !== undefined && f.data !== undefined) {
    const format = { contentType: f[ENVELOPE_FIELDS.contentType], contentEncoding: f[ENVELOPE_FIELDS.contentEncoding], keyId: f[ENVELOPE_FIELDS.keyId] };
    try {
      const data = (payload ?? defaultPipeline()).decode(f['dlq.topic'], f.id, f.data, format);
      return { ...base(entryId, f), data };
    } catch (err) {
      return { ...base(entryId, f), data: f.data, payloadError: (err as Error).message };
    }
  }
  return base(entryId, f);
}

function base(entryId: string, f: Record<string, string>): DeadLetter {
  return {
    entryId,
    messageId: f.id,
    topic: f['dlq.topic'],
    group: f['dlq.group'],
    error: f['dlq.error'],
    attempts: Number(f['dlq.attempts']),
    firstFailedAt: new Date(Number(f['dlq.firstFailedAt'])),
    lastFailedAt: new Date(Number(f['dlq.lastFailedAt'])),
    data: parseJson(f.data),
    headers: f.headers ? (parseJson(f.headers) as Record<string, string>) : {},
    originalEntryId: f['dlq.entryId'],
    ...(f.raw !== undefined && { raw: f.raw }),
  };
}

/** Admin without payload options: compressed JSON still decodes; encrypted or other codecs do not. */
let plainPipeline: PayloadPipeline | undefined;
function defaultPipeline(): PayloadPipeline {
  return (plainPipeline ??= new PayloadPipelineClass({}));
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
