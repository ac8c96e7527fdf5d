import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The build of this package the bench loads: `cfg.distDir` (set per scenario by `--compare-dist`),
 * else `BENCH_DIST` (set by `--dist=DIR`: e.g. a build made in a git worktree of another commit),
 * else the repository's `dist/`.
 */
export function oursBuildDir(cfg) {
  return resolve(cfg?.distDir ?? process.env.BENCH_DIST ?? join(ROOT, 'dist'));
}

/**
 * File URL of an entry point of that build: `subpath` '' = the root, 'typeorm' = `./typeorm`.
 * Builds of `lib/` alone have it at `<dir>/<subpath>/index.js`, builds of `lib/` + `migrations/` at
 * `<dir>/lib/<subpath>/index.js`; both are accepted, so older commits can be compared.
 */
export function oursEntryUrl(cfg, subpath = '') {
  const dir = oursBuildDir(cfg);
  const candidates = [join(dir, 'lib', subpath, 'index.js'), join(dir, subpath, 'index.js')];
  return pathToFileURL(candidates.find(f => existsSync(f)) ?? candidates[0]).href;
}

/** Imports the root entry point of the build. */
export function loadOurs(cfg) {
  return import(oursEntryUrl(cfg));
}

/**
 * The root exports merged with those of the `./typeorm` subpath when the build has one (the
 * recorder and the entities moved there), for the scenarios that wire persistence.
 */
export async function loadOursWithTypeorm(cfg) {
  const root = await loadOurs(cfg);
  const url = oursEntryUrl(cfg, 'typeorm');
  return existsSync(fileURLToPath(url)) ? { ...root, ...(await import(url)) } : root;
}
