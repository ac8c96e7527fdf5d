/**
 * What a consumer costs per message, and what of it is whose: the consumer process alone, on a stream
 * filled beforehand (no producer competing for the cores), so the CPU per message is the consumer's
 * own work and not the machine's contention. Each variant runs in a fresh process, reads
 * `--warmup` messages first (JIT), then `--messages` measured ones; the rounds are interleaved.
 *
 *   raw           the plain ioredis loop (XREADGROUP COUNT 1000, JSON.parse, one XACK per read) over
 *                 entries with one field (`data`), as the hot-topic bench's `ioredis-1000`
 *   raw-envelope  the same loop over this package's envelope (`id`, `data`): what the envelope's
 *                 extra field costs the client library
 *   ours-bare     ServerRedisStreams, the handler given to `server.subscribe()` (no Nest pipeline)
 *   ours          ServerRedisStreams with an `@EventPattern` handler (Nest's per-message pipeline)
 *
 * Also Redis' CPU per message while it serves the consumer (when redis-server runs on this machine).
 *
 *   node test/bench/consumer-cost.mjs [--only=raw,ours] [--messages=50000] [--warmup=10000] [--reps=5]
 *                                     [--dist=DIR] [--ioredis=DIR] [--cpu-prof=DIR]
 * (`--ioredis=DIR` as in `npm run bench`: the children import ioredis from DIR; `--cpu-prof=DIR`: each
 * child writes a `node --cpu-prof` profile there, see tools/cpuprofile-top.mjs.) Reads `dist/`:
 * run `npm run build` first.
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eventHandlerModule, startMicroservice } from './lib/nest-app.mjs';
import { loadOurs, oursBuildDir } from './lib/ours-build.mjs';
import { makePayload } from './lib/payload.mjs';
import { RedisAdmin } from './lib/redis-admin.mjs';
import { median } from './lib/stats.mjs';
import { redisUrl } from './lib/redis-url.mjs';
import { consumer as rawConsumer } from './scenarios/ioredis.mjs';

const VARIANTS = ['raw', 'raw-envelope', 'ours-bare', 'ours'];
const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const GROUP = 'cost';

const args = Object.fromEntries(
  process.argv.slice(2).filter(a => a.startsWith('--')).map(a => {
    const [k, v] = a.slice(2).split('=');
    return [k, v ?? 'true'];
  }),
);

if (process.argv[2] === 'child') await child(process.argv[3], JSON.parse(process.argv[4]));
else await main();

async function main() {
  const only = args.only ? args.only.split(',') : VARIANTS;
  const bad = only.filter(v => !VARIANTS.includes(v));
  if (bad.length) throw new Error(`--only: unknown ${bad.join(', ')} (one of ${VARIANTS.join(', ')})`);
  const messages = Number(args.messages ?? 50_000);
  const warmup = Number(args.warmup ?? 10_000);
  const reps = Number(args.reps ?? 5);
  if (args.dist) process.env.BENCH_DIST = resolve(args.dist);
  if (args.ioredis) process.env.BENCH_IOREDIS = resolve(args.ioredis);
  const ioredis = createRequire(join(process.env.BENCH_IOREDIS ?? ROOT, 'x.js'))('ioredis/package.json').version;
  const { encodeEnvelope } = await import(pathToFileURL(join(oursBuildDir(), 'lib', 'codec', 'envelope.codec.js')).href);
  const admin = new RedisAdmin();
  await admin.init();
  const redisLocal = admin.cpuSeconds() !== undefined;
  console.log(`consumer cost: ${messages} messages after ${warmup}, ${reps} interleaved rounds, ioredis ${ioredis}${redisLocal ? '' : ' (Redis CPU not measured: not on this machine)'}`);
  const results = Object.fromEntries(only.map(v => [v, []]));
  for (let rep = 0; rep < reps; rep++) {
    const k = rep % only.length;
    for (const variant of [...only.slice(k), ...only.slice(0, k)]) {
      const prefix = `bench-cost-${randomBytes(4).toString('hex')}`;
      await fill(admin.redis, `${prefix}:{t}`, warmup + messages, variant === 'raw' ? undefined : encodeEnvelope);
      const redisBefore = admin.cpuSeconds();
      const row = await runChild(variant, { prefix, messages, warmup });
      row.redisUs = redisLocal ? ((admin.cpuSeconds() - redisBefore) * 1e6) / (warmup + messages) : undefined;
      results[variant].push(row);
      console.log(`[${rep + 1}/${reps}] ${variant.padEnd(12)} consumer ${row.us.toFixed(2)} µs/msg (user ${row.user.toFixed(2)}, sys ${row.sys.toFixed(2)}), ${Math.round(row.rate).toLocaleString('en-US')} msg/s${row.redisUs === undefined ? '' : `, Redis ${row.redisUs.toFixed(2)} µs/msg (whole run)`}`);
      await admin.deletePrefix(`${prefix}:`);
    }
  }
  console.log('\n| variant | consumer µs/msg median | min | max | ÷ raw (median) | Redis µs/msg median |\n|---|---:|---:|---:|---:|---:|');
  const rawMedian = results.raw ? median(results.raw.map(r => r.us)) : undefined;
  for (const [variant, rows] of Object.entries(results)) {
    const us = rows.map(r => r.us);
    const redisUs = rows.map(r => r.redisUs).filter(v => v !== undefined);
    console.log(`| ${variant} | ${median(us).toFixed(2)} | ${Math.min(...us).toFixed(2)} | ${Math.max(...us).toFixed(2)} | ${rawMedian ? `${(median(us) / rawMedian).toFixed(2)} ×` : '—'} | ${redisUs.length ? median(redisUs).toFixed(2) : '—'} |`);
  }
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const out = join(ROOT, 'bench-results', `${stamp}-consumer-cost.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), ioredis, messages, warmup, reps, results }, null, 2)}\n`);
  console.log(`Results: ${out}`);
  await admin.close();
}

/** Appends `count` bench payloads: a lone `data` field, or this package's envelope. */
async function fill(redis, stream, count, encodeEnvelope) {
  for (let i = 0; i < count; i += 1000) {
    const pipeline = redis.pipeline();
    for (let seq = i; seq < Math.min(i + 1000, count); seq++) {
      const data = JSON.stringify(makePayload(seq, 0));
      const fields = encodeEnvelope ? encodeEnvelope({ id: randomUUID(), data, publishedAt: Date.now() }) : ['data', data];
      pipeline.xadd(stream, '*', ...fields);
    }
    await pipeline.exec();
  }
}

function runChild(variant, cfg) {
  const execArgv = process.env.BENCH_IOREDIS ? ['--import', new URL('./lib/ioredis-swap.mjs', import.meta.url).href] : [];
  if (args['cpu-prof']) execArgv.push('--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof']));
  const proc = fork(SELF, ['child', variant, JSON.stringify(cfg)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => (proc.kill('SIGKILL'), reject(new Error(`${variant}: no result after 120 s`))), 120_000);
    proc.on('message', msg => (clearTimeout(timer), resolvePromise(msg)));
    proc.on('exit', code => (clearTimeout(timer), reject(new Error(`${variant} exited (${code}) without a result`))));
  });
}

/** One consumer: reads the whole stream, measures its own CPU over the messages after the warm-up. */
async function child(variant, { prefix, messages, warmup }) {
  let seen = 0;
  let started;
  let finished;
  const done = new Promise(r => (finished = r));
  const handle = () => {
    if (++seen === warmup) started = { cpu: process.cpuUsage(), ns: process.hrtime.bigint() };
    if (seen === warmup + messages) finished();
  };
  const close = variant.startsWith('raw')
    ? await rawConsumer({ prefix, count: 1000, stream: `${prefix}:{t}`, groupStart: '0' }, handle)
    : await oursConsumer(variant, prefix, handle);
  await done;
  const cpu = process.cpuUsage(started.cpu);
  const seconds = Number(process.hrtime.bigint() - started.ns) / 1e9;
  await close();
  process.send({ us: (cpu.user + cpu.system) / messages, user: cpu.user / messages, sys: cpu.system / messages, rate: messages / seconds }, () => process.exit(0));
}

async function oursConsumer(variant, prefix, handle) {
  const { ServerRedisStreams } = await loadOurs();
  const strategy = new ServerRedisStreams({ connection: { url: redisUrl() }, prefix, group: GROUP });
  if (variant === 'ours') return startMicroservice(eventHandlerModule('t', handle), { strategy });
  await new Promise((res, rej) => strategy.listen(err => (err ? rej(err) : res())));
  await strategy.subscribe('t', async data => handle(data), { group: GROUP });
  return () => strategy.close();
}
