import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { MqException } from '../errors/mq.exception.js';

/** One failed field in the `details` of a 400. */
export interface FieldError {
  field: string;
  errors: string[];
}

/**
 * The global `ValidationPipe`: DTO classes are validated with class-validator, unknown fields are
 * rejected, and a failure is a 400 MQ_VALIDATION_FAILED whose `details` list every field.
 *
 * Message payloads are opaque JSON and must reach consumers byte for byte. Nest's pipe deletes
 * `__proto__` and `constructor` keys at any depth (its guard against prototype pollution), and
 * class-transformer drops keys named like other `Object.prototype` members (`toString`,
 * `valueOf`, …). So every `payload` (of a message, or of each of `messages`) is taken out of the
 * body before validation — a placeholder keeps `@IsDefined()` meaningful — and put back on the
 * DTO afterwards, exactly as the body parser produced it: `JSON.parse` makes `__proto__` an own
 * data property, which never touches a prototype, and nothing here copies it with `=` or spread.
 * Anywhere else in a body (headers, filters, settings) such a key is refused with a 400 rather
 * than dropped.
 */
export class MqValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      exceptionFactory: (errors: ValidationError[]) => MqException.validation('Validation failed', flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return super.transform(value, metadata);
    const payloads = detachPayloads(value);
    const shadowing = shadowingKeyPath(value);
    if (shadowing) {
      throw MqException.validation('Validation failed', [
        { field: shadowing, errors: ['this name is reserved (Object.prototype member); only payloads may use it'] },
      ]);
    }
    const result = await super.transform(value, metadata);
    for (const { path, payload } of payloads) {
      const target = path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), result);
      if (isRecord(target)) setOwn(target, 'payload', payload);
    }
    return result;
  }
}

/**
 * The path of the first key outside payloads that is named like an `Object.prototype` member
 * (`__proto__`, `constructor`, `toString`, …): Nest and class-transformer would drop it silently,
 * so a header or filter with such a name would vanish while the request succeeds. Refused instead.
 */
function shadowingKeyPath(value: unknown, path = ''): string | undefined {
  if (!isRecord(value)) return undefined;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (Object.hasOwn(Object.prototype, key)) return here;
    const found = shadowingKeyPath(value[key], here);
    if (found) return found;
  }
  return undefined;
}

/** A payload taken out of the body, and where it goes back (`[]` = the body, `['messages', i]`). */
interface DetachedPayload {
  path: (string | number)[];
  payload: unknown;
}

/** Replaces object / array payloads by a placeholder; scalars and null stay (nothing to strip, and null must fail). */
function detachPayloads(body: unknown): DetachedPayload[] {
  const detached: DetachedPayload[] = [];
  const take = (holder: unknown, path: (string | number)[]) => {
    if (!isRecord(holder) || !Object.hasOwn(holder, 'payload') || !isRecord(holder.payload)) return;
    detached.push({ path, payload: holder.payload });
    setOwn(holder, 'payload', true);
  };
  take(body, []);
  if (isRecord(body) && Array.isArray(body.messages)) body.messages.forEach((message, i) => take(message, ['messages', i]));
  return detached;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap(error => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
