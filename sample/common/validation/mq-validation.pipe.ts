import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { MqException } from '../errors/mq.exception.js';

/** One failed field in the `details` of a 400. */
export interface FieldError {
  field: string;
  errors: string[];
}

/**
 * The global `ValidationPipe`: DTO classes are validated with class-validator, unknown fields are
 * rejected, and a failure is a 400 MQ_VALIDATION_FAILED whose `details` list every field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors: ValidationError[]) =>
      MqException.validation('Validation failed', flatten(errors)),
  });
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap(error => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
