/**
 * Finds the Redis and PostgreSQL the suite talks to, in this order:
 * 1. `REDIS_URL` / `DATABASE_URL` from the environment;
 * 2. the local defaults (127.0.0.1:6379, 127.0.0.1:5432), if they answer;
 * 3. testcontainers, only if a container runtime answers;
 * otherwise it fails with one message saying how to provide them.
 * Self-contained on purpose: jest's module mapping does not apply to globalSetup.
 */
const net = require('node:net');

const LOCAL_REDIS = 'redis://127.0.0.1:6379';
const LOCAL_DATABASE = 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test';

function probe(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise(resolve => {
    const socket = net.connect({ host: hostname, port: Number(port || defaultPort) });
    const done = ok => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function fromContainers(kind) {
  try {
    if (kind === 'redis') {
      const { RedisContainer } = require('@testcontainers/redis');
      const container = await new RedisContainer('redis:7').start();
      globalThis.__MQ_CONTAINERS__ = [...(globalThis.__MQ_CONTAINERS__ || []), container];
      return container.getConnectionUrl();
    }
    const { PostgreSqlContainer } = require('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15').start();
    globalThis.__MQ_CONTAINERS__ = [...(globalThis.__MQ_CONTAINERS__ || []), container];
    return container.getConnectionUri();
  } catch {
    return undefined;
  }
}

/**
 * The local PostgreSQL answers but may not have the test role yet (a fresh machine): create it
 * through local admin access (PG_ADMIN_URL, else the `postgres` superuser), as `.ci/run` does.
 */
async function ensureLocalDatabase(url) {
  const { Client } = require('pg');
  const tryConnect = async target => {
    const client = new Client({ connectionString: target, connectionTimeoutMillis: 3000 });
    await client.connect();
    return client;
  };
  try {
    await (await tryConnect(url)).end();
    return true;
  } catch {
    // fall through: provision it
  }
  const { username, password, pathname } = new URL(url);
  const database = pathname.slice(1);
  for (const admin of [process.env.PG_ADMIN_URL, 'postgres://postgres@127.0.0.1:5432/postgres'].filter(Boolean)) {
    let client;
    try {
      client = await tryConnect(admin);
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
      if (!role.rowCount) await client.query(`CREATE ROLE "${username}" LOGIN PASSWORD '${password}' CREATEDB`);
      const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!db.rowCount) await client.query(`CREATE DATABASE "${database}" OWNER "${username}"`);
      await client.end();
      return true;
    } catch {
      await client?.end().catch(() => undefined);
    }
  }
  return false;
}

async function resolveService(kind, envName, localUrl, defaultPort) {
  if (process.env[envName]) return process.env[envName];
  if (await probe(localUrl, defaultPort)) {
    if (kind !== 'postgres' || (await ensureLocalDatabase(localUrl))) return localUrl;
  }
  const url = await fromContainers(kind);
  if (url) return url;
  throw new Error(
    `No ${kind} for the tests: set ${envName}, start one on ${localUrl.replace(/^.*@/, '')}, ` +
      'or make a container runtime available for testcontainers. `bash .ci/run` starts both locally.',
  );
}

module.exports = async function globalSetup() {
  process.env.REDIS_URL = await resolveService('redis', 'REDIS_URL', LOCAL_REDIS, 6379);
  process.env.DATABASE_URL = await resolveService('postgres', 'DATABASE_URL', LOCAL_DATABASE, 5432);
};
