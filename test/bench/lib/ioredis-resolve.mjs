/** Resolve hook of `ioredis-swap.mjs`: `ioredis` (and its subpaths) resolve as if imported from `dir`. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let from;

export function initialize({ dir }) {
  from = pathToFileURL(join(dir, 'bench-ioredis-swap.js')).href;
}

export function resolve(specifier, context, next) {
  if (specifier === 'ioredis' || specifier.startsWith('ioredis/')) return next(specifier, { ...context, parentURL: from });
  return next(specifier, context);
}
