import { fieldsToObject } from '../codec/envelope.codec.js';
import type { DeadLetter } from './admin.types.js';

/** Reads a dead-letter stream entry (see deadLetter-5.lua for the fields). */
export function decodeDeadLetter(entryId: string, fields: string[]): DeadLetter {
  const f = fieldsToObject(fields);
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

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
