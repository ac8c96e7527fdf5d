import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The build of this package the bench loads: `cfg.dist` (a file URL, set per scenario by
 * `--compare-dist`), else `BENCH_DIST` (a directory, set by `--dist=DIR`: e.g. a build made in a
 * git worktree of another commit), else the repository's `dist/`.
 */
export function oursBuildUrl(cfg) {
  if (cfg?.dist) return cfg.dist;
  return pathToFileURL(resolve(process.env.BENCH_DIST ?? resolve(ROOT, 'dist'), 'index.js')).href;
}

/** Imports the build `oursBuildUrl(cfg)` names. */
export function loadOurs(cfg) {
  return import(oursBuildUrl(cfg));
}
