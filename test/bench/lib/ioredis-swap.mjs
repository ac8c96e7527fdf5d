/**
 * `--ioredis=DIR`: every bench child (and this package's build it loads) imports `ioredis` from the
 * directory DIR instead of the repository's node_modules — e.g. one made with
 * `npm install --prefix /tmp/io5 ioredis@5`, to compare client versions in one run. Loaded with
 * `node --import` when `BENCH_IOREDIS` is set; it registers `ioredis-resolve.mjs` as a resolve hook.
 * (ESM imports only: a `require('ioredis')`, as in Nest's own Redis transport, keeps the repository's.)
 */
import { register } from 'node:module';

if (process.env.BENCH_IOREDIS) {
  register('./ioredis-resolve.mjs', import.meta.url, { data: { dir: process.env.BENCH_IOREDIS } });
}
