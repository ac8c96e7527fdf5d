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
 * Message payloads are opaque JSON and must reach consumers byte for byte. class-transformer
 * walks them like class instances and silently drops keys named like `Object.prototype`
 * members (`constructor`, `toString`, `__proto__`, …) — assigning `__proto__` would even change
 * the copy's prototype. So after the transformation, every `payload` field (of a message, or of
 * each message of `messages`) is put back as the body parser produced it: `JSON.parse` makes
 * `__proto__` an own data property, which never touches a prototype.
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
    const result = await super.transform(value, metadata);
    if (metadata.type === 'body') restorePayloads(value, result);
    return result;
  }
}

/** Copies the raw `payload` of a message body (and of each of its `messages`) onto the transformed DTO. */
function restorePayloads(raw: unknown, dto: unknown): void {
  if (!isRecord(raw) || !isRecord(dto) || raw === dto) return;
  if (Object.hasOwn(raw, 'payload')) setOwn(dto, 'payload', raw.payload);
  if (Array.isArray(raw.messages) && Array.isArray(dto.messages)) {
    raw.messages.forEach((message, i) => {
      const target = (dto.messages as unknown[])[i];
      if (isRecord(message) && isRecord(target) && Object.hasOwn(message, 'payload')) setOwn(target, 'payload', message.payload);
    });
  }
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
