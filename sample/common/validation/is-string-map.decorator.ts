import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Limits of `@IsStringMap`. */
export interface StringMapLimits {
  maxEntries: number;
  keyPattern: RegExp;
  maxValueLength: number;
  /** Names refused (lower-case; prefixes end with `*`). */
  reserved?: string[];
  /** Also accept numbers, booleans and null as values (filters). @defaultValue false */
  scalarValues?: boolean;
  /**
   * Values become HTTP header values: only what RFC 9110's field-value allows (visible ASCII,
   * space, tab, obs-text 0x80-0xFF). CR / LF would split the request; undici refuses any other
   * character at every delivery, which would dead-letter every message. @defaultValue false
   */
  headerValues?: boolean;
}

/** A character no HTTP header value may hold: controls (CR, LF, NUL, DEL…) and anything past Latin-1 (`€`, emoji, lone surrogates). */
const HEADER_VALUE_FORBIDDEN = /[^\t\u0020-\u007e\u0080-\u00ff]/;

/** A plain object of string → string (or scalar) within limits: headers of a message or a webhook, filters. */
export function IsStringMap(limits: StringMapLimits, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => problemOf(value, limits) === undefined,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${problemOf(args.value, limits) ?? 'is invalid'}`,
      },
    });
}

function problemOf(value: unknown, limits: StringMapLimits): string | undefined {
  const kind = limits.scalarValues ? 'string, number, boolean or null' : 'string';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `must be an object of ${kind} values`;
  const entries = Object.entries(value);
  if (entries.length > limits.maxEntries) return `must have at most ${limits.maxEntries} entries`;
  for (const [key, v] of entries) {
    if (!limits.keyPattern.test(key)) return `has an invalid name "${key}" (must match ${limits.keyPattern.source})`;
    const scalar = v === null || typeof v === 'number' || typeof v === 'boolean';
    if (typeof v !== 'string' && !(limits.scalarValues && scalar)) return `"${key}" must be a ${kind}`;
    if (typeof v === 'string' && v.length > limits.maxValueLength) return `"${key}" must be at most ${limits.maxValueLength} characters`;
    if (limits.headerValues && typeof v === 'string' && HEADER_VALUE_FORBIDDEN.test(v)) return `"${key}" must hold only visible ASCII, space, tab or Latin-1 characters (no CR, LF, NUL, €…)`;
    const lower = key.toLowerCase();
    const hit = limits.reserved?.find(r => (r.endsWith('*') ? lower.startsWith(r.slice(0, -1)) : lower === r));
    if (hit) return `"${key}" is reserved`;
  }
  return undefined;
}
