import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { traceContextProblem } from '../trace-context.js';

/**
 * On a message's `headers`: `traceparent` / `tracestate`, when present, are well-formed W3C trace
 * context within limits (see `traceContextProblem`). Anything that is not a map of strings is left
 * to `@IsStringMap`, which reports it.
 */
export function ValidTraceContext(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'validTraceContext',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => problemOf(value) === undefined,
        defaultMessage: (args: ValidationArguments) => problemOf(args.value) ?? 'trace context is invalid',
      },
    });
}

function problemOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (Object.values(value).some(v => typeof v !== 'string')) return undefined;
  return traceContextProblem(value as Record<string, string>);
}
