import { Logger } from '@nestjs/common';
import pg from 'pg';

/** PostgreSQL's "database does not exist". */
const INVALID_CATALOG_NAME = '3D000';

/**
 * Creates the database of `url` when it does not exist yet, through the server's `postgres`
 * maintenance database with the same credentials (the role needs CREATEDB). So `npm run sample`
 * works on a fresh machine; where the database exists (docker compose, production) it only
 * connects once and leaves.
 */
export async function ensureDatabase(url: string, log: (message: string) => void = m => new Logger('Database').log(m)): Promise<void> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== INVALID_CATALOG_NAME) throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    log(`Created database "${database}"`);
  } catch (err) {
    // Another replica starting at the same time created it first.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await admin.end();
  }
}
