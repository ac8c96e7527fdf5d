// Packs the package and installs the tarball with plain `npm install` (no overrides, no
// --legacy-peer-deps) into three fresh apps, each compiled with `strict` and `skipLibCheck: false`
// and run against a real Redis:
//   cjs          - CommonJS (as `nest new` makes it), the root's peers only, README quick start + core-e2e.ts
//   esm          - ESM (module nodenext), the root's peers only, README quick start + core-e2e.ts
//   integrations - CommonJS + typeorm/pg, prom-client/@willsoto/nestjs-prometheus, @nestjs/terminus through
//                  the subpaths; runs the shipped migrations on a scratch PostgreSQL database
// Run after `npm run build`. Each app keeps its directory under the OS temp dir between runs (only the
// package itself is reinstalled), so later runs install from node_modules and the npm cache.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const base = join(tmpdir(), 'nestjs-redis-streams-transport-package-test');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test';
const only = process.argv.slice(2);

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** The version range a fresh app asks for: the one this repository develops against. */
const dev = name => rootPkg.devDependencies[name];
/** The libraries the package root must not need. */
const INTEGRATION_LIBS = [
  'typeorm',
  '@nestjs/typeorm',
  'pg',
  'prom-client',
  '@willsoto/nestjs-prometheus',
  '@nestjs/terminus',
  '@opentelemetry/api',
  'ajv',
  'msgpackr',
];

const CORE_DEPS = {
  '@nestjs/common': dev('@nestjs/common'),
  '@nestjs/core': dev('@nestjs/core'),
  '@nestjs/microservices': dev('@nestjs/microservices'),
  ioredis: dev('ioredis'),
  rxjs: dev('rxjs'),
  'reflect-metadata': dev('reflect-metadata'),
};
const DEV_DEPS = { typescript: dev('typescript'), '@types/node': dev('@types/node') };

const apps = [
  { name: 'cjs', type: 'commonjs', module: 'commonjs', deps: CORE_DEPS, quickStart: true, main: 'core-e2e.ts' },
  { name: 'esm', type: 'module', module: 'nodenext', deps: CORE_DEPS, quickStart: true, main: 'core-e2e.ts' },
  {
    name: 'integrations',
    type: 'commonjs',
    module: 'commonjs',
    deps: {
      ...CORE_DEPS,
      // typeorm 1.1 declares ioredis ^5 as an optional peer: an app with typeorm uses ioredis 5.
      ioredis: '^5.11.0',
      '@nestjs/platform-express': dev('@nestjs/platform-express'),
      '@nestjs/terminus': dev('@nestjs/terminus'),
      '@nestjs/typeorm': dev('@nestjs/typeorm'),
      '@willsoto/nestjs-prometheus': dev('@willsoto/nestjs-prometheus'),
      pg: dev('pg'),
      'prom-client': dev('prom-client'),
      typeorm: dev('typeorm'),
    },
    quickStart: false,
    main: 'integrations-e2e.ts',
    database: true,
  },
].filter(app => !only.length || only.includes(app.name));

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
}

/** The README's quick start, exactly as written (the first ts block of its "Quick start" section). */
function quickStart() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md has no ts block under "## Quick start"');
  return match[1];
}

async function withScratchDatabase(fn) {
  const name = `mq_pkg_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

function prepare(app, tarball) {
  const dir = join(base, app.name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  // Only the package is reinstalled; everything else stays from the last run.
  rmSync(join(dir, 'node_modules', 'nestjs-redis-streams-transport'), { recursive: true, force: true });
  rmSync(join(dir, 'package-lock.json'), { force: true });
  rmSync(join(dir, 'src'), { recursive: true, force: true });
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: `package-test-${app.name}`,
        private: true,
        type: app.type,
        dependencies: { 'nestjs-redis-streams-transport': `file:${tarball}`, ...app.deps },
        devDependencies: DEV_DEPS,
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          module: app.module,
          target: 'ES2023',
          strict: true,
          skipLibCheck: false,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          rootDir: 'src',
          outDir: 'dist',
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  copyFileSync(join(here, 'apps', app.main), join(dir, 'src', 'e2e.ts'));
  copyFileSync(join(here, 'apps', 'e2e-helpers.ts'), join(dir, 'src', 'e2e-helpers.ts'));
  if (app.quickStart) writeFileSync(join(dir, 'src', 'quick-start.ts'), quickStart());
  return dir;
}

async function main() {
  if (!existsSync(join(root, 'dist', 'lib', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(base, { recursive: true });
  const started = Date.now();
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', base], { cwd: root }));
  const tarball = join(base, packed[0].filename);
  const shipped = packed[0].files.map(f => f.path);
  for (const must of ['LICENSE', 'README.md', 'dist/lib/index.js', 'dist/lib/typeorm/index.js', 'dist/migrations/index.js']) {
    if (!shipped.includes(must)) throw new Error(`the tarball lacks ${must}`);
  }
  const maps = shipped.filter(f => f.endsWith('.map'));
  if (maps.length) throw new Error(`the tarball ships source maps of sources it does not ship: ${maps.slice(0, 3).join(', ')}`);
  console.log(`packed ${packed[0].filename}: ${shipped.length} files, ${Math.round(packed[0].size / 1024)} kB`);

  let failed = 0;
  for (const app of apps) {
    const t0 = Date.now();
    try {
      const dir = prepare(app, tarball);
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
      if (!app.database) {
        const present = INTEGRATION_LIBS.filter(lib => existsSync(join(dir, 'node_modules', lib)));
        if (present.length) throw new Error(`installed without being asked for: ${present.join(', ')}`);
      }
      run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, stdio: 'inherit' });
      const execute = env => run(process.execPath, [join(dir, 'dist', 'e2e.js')], { cwd: dir, env: { ...process.env, REDIS_URL: redisUrl, ...env } });
      const out = app.database ? await withScratchDatabase(url => execute({ DATABASE_URL: url })) : execute({});
      console.log(`${app.name}: ${out.trim().split('\n').join(' / ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      console.error(`${app.name}: FAILED: ${err.message}`);
    }
  }
  console.log(`package test: ${apps.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (failed) process.exit(1);
}

await main();
