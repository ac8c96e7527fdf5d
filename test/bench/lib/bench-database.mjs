import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DataSource } from 'typeorm';
import ts from 'typescript';

/** The PostgreSQL the bench uses: `DATABASE_URL`, default the test suite's. */
export function databaseUrl() {
  return process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test';
}

/**
 * A database of its own (`mq_bench_<random>`) with the project's migrations run, for the
 * recording scenario; `drop()` removes it. The migrations are TypeScript with raw SQL and type-only
 * imports, so they are transpiled (no decorators involved) and imported from a temporary folder.
 * Resolves `{ skipped }` with the reason when PostgreSQL cannot be reached.
 */
export async function createBenchDatabase(root) {
  const name = `mq_bench_${randomBytes(5).toString('hex')}`;
  try {
    await withAdmin(client => client.query(`CREATE DATABASE "${name}"`));
  } catch (err) {
    return { skipped: `PostgreSQL at ${redact(databaseUrl())} is not usable: ${err.message}` };
  }
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  const drop = () => withAdmin(client => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => undefined);
  const dir = join(tmpdir(), `bench-migrations-${randomBytes(4).toString('hex')}`);
  try {
    const migrations = await loadMigrations(resolve(root, 'migrations'), dir);
    const dataSource = new DataSource({ type: 'postgres', url: url.toString(), migrations, synchronize: false });
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
  } catch (err) {
    await drop();
    return { skipped: `could not migrate the bench database: ${err.message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { name, url: url.toString(), drop };
}

async function loadMigrations(from, to) {
  mkdirSync(to, { recursive: true });
  const classes = [];
  for (const file of readdirSync(from).filter(f => /^\d+-.+\.ts$/.test(f)).sort()) {
    const { outputText } = ts.transpileModule(readFileSync(join(from, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const out = join(to, file.replace(/\.ts$/, '.mjs'));
    writeFileSync(out, outputText);
    classes.push(...Object.values(await import(pathToFileURL(out).href)).filter(v => typeof v === 'function'));
  }
  return classes;
}

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
