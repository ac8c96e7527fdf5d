import { ENVELOPE_FIELDS as F, type DecodedEnvelope, type Envelope, type PayloadFormat } from './envelope.js';

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Flat field/value list for `XADD` (and for Lua scripts that XADD it). The publish time is written
 * only for delayed messages: for the others the stream entry id (`<ms>-<seq>`) already holds it.
 */
export function encodeEnvelope(envelope: Envelope): string[] {
  const fields =
    envelope.deliverAt === undefined
      ? [F.id, envelope.id, F.data, envelope.data]
      : [F.id, envelope.id, F.publishedAt, String(envelope.publishedAt), F.data, envelope.data];
  if (envelope.headers && hasKeys(envelope.headers)) {
    fields.push(F.headers, JSON.stringify(envelope.headers));
  }
  if (envelope.key !== undefined) fields.push(F.key, envelope.key);
  if (envelope.deliverAt !== undefined) fields.push(F.deliverAt, String(envelope.deliverAt));
  if (envelope.correlationId !== undefined) fields.push(F.correlationId, envelope.correlationId);
  if (envelope.replyTo !== undefined) fields.push(F.replyTo, envelope.replyTo);
  if (envelope.format) pushFormat(fields, envelope.format);
  return fields;
}

/**
 * Decodes the field list of stream entry `entryId`. Returns a string saying what is wrong when the
 * entry is not a valid envelope: such entries go to the dead-letter stream, never to a handler.
 */
export function decodeEnvelope(fields: readonly string[] | null | undefined, entryId: string): DecodedEnvelope | string {
  if (!fields || fields.length % 2 !== 0) return 'entry has no field list or an odd number of fields';
  let id: string | undefined;
  let ts: string | undefined;
  let data: string | undefined;
  let headers: string | undefined;
  let key: string | undefined;
  let due: string | undefined;
  let correlationId: string | undefined;
  let replyTo: string | undefined;
  let format: PayloadFormat | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const value = fields[i + 1];
    switch (fields[i]) {
      case F.id: id = value; break;
      case F.publishedAt: ts = value; break;
      case F.data: data = value; break;
      case F.headers: headers = value; break;
      case F.key: key = value; break;
      case F.deliverAt: due = value; break;
      case F.correlationId: correlationId = value; break;
      case F.replyTo: replyTo = value; break;
      case F.contentType: (format ??= emptyFormat()).contentType = value; break;
      case F.contentEncoding: (format ??= emptyFormat()).contentEncoding = value; break;
      case F.keyId: (format ??= emptyFormat()).keyId = value; break;
    }
  }
  if (!id) return `missing "${F.id}" field`;
  if (data === undefined) return `missing "${F.data}" field`;
  const publishedAt = Number(ts ?? entryId.slice(0, entryId.indexOf('-')));
  if (!Number.isFinite(publishedAt)) return `invalid "${F.publishedAt}" field: ${ts}`;
  let payload: unknown = data; // encoded payloads are decoded by the server's payload pipeline
  if (!format) {
    try {
      payload = JSON.parse(data);
    } catch (err) {
      return `"${F.data}" is not JSON: ${(err as Error).message}`;
    }
  }
  let parsedHeaders = NO_HEADERS;
  if (headers !== undefined) {
    const parsed = parseHeaders(headers);
    if (typeof parsed === 'string') return parsed;
    parsedHeaders = parsed;
  }
  const deliverAt = due === undefined ? undefined : Number(due);
  const decoded: DecodedEnvelope = { id, publishedAt, data: payload, headers: parsedHeaders, key, deliverAt, correlationId, replyTo };
  if (format) decoded.format = format;
  return decoded;
}

function emptyFormat(): PayloadFormat {
  return { contentType: undefined, contentEncoding: undefined, keyId: undefined };
}

function pushFormat(fields: string[], format: PayloadFormat): void {
  if (format.contentType !== undefined) fields.push(F.contentType, format.contentType);
  if (format.contentEncoding !== undefined) fields.push(F.contentEncoding, format.contentEncoding);
  if (format.keyId !== undefined) fields.push(F.keyId, format.keyId);
}

function parseHeaders(text: string): Record<string, string> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `"${F.headers}" is not JSON: ${(err as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return `"${F.headers}" is not a JSON object`;
  }
  for (const value of Object.values(parsed)) {
    if (typeof value !== 'string') return `"${F.headers}" values must be strings`;
  }
  return parsed as Record<string, string>;
}

function hasKeys(obj: object): boolean {
  for (const _ in obj) return true;
  return false;
}

/** Field list → object, for entries shown to people (dead letters, admin). */
export function fieldsToObject(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]] = fields[i + 1];
  return out;
}
