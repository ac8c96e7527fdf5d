import type { ValueTransformer } from 'typeorm';

/**
 * `bigint` columns come back from `pg` as strings (they may exceed 2^53); the millisecond
 * values we keep there never do, so they are read as numbers.
 */
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
