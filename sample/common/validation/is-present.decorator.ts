import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only `undefined` (an absent field) skips validation: an explicit
 * `null` is validated, and rejected by the field's type check. For fields that cannot be cleared.
 */
export const IsPresentOrAbsent = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
