/** Scalar values a filter compares with. */
export type FilterValue = string | number | boolean | null;

/**
 * A subscription's `message_filter`: every listed header must equal its value, and every listed
 * payload field (dotted path, e.g. `order.country`) must equal its value. Empty = everything.
 */
export interface MessageFilter {
  headers?: Record<string, string>;
  payload?: Record<string, FilterValue>;
}

/** Whether a message passes a filter (equality only, no type coercion). */
export function matchesFilter(filter: MessageFilter | null | undefined, data: unknown, headers: Record<string, string>): boolean {
  if (!filter) return true;
  for (const [name, value] of Object.entries(filter.headers ?? {})) {
    if (headers[name] !== value) return false;
  }
  for (const [path, value] of Object.entries(filter.payload ?? {})) {
    if (valueAt(data, path) !== value) return false;
  }
  return true;
}

function valueAt(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
