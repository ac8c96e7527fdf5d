/**
 * `npm run bench`: every peer side by side in one run — one producer process and one
 * consumer process per scenario — then the backlog and recording scenarios. Prints the table and
 * writes bench-results/<date>.json and bench-results/latest.json. `--help` lists the options.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBacklog } from './backlog.mjs';
import { HOT_TOPIC_HEAD, hotTopicOtherLoad, hotTopicTableRows, hotTopicTargets, summarizeHotTopic } from './lib/hot-topic.mjs';
import { runManyTopicsMain } from './many-topics.mjs';
import { parseOptions, selectScenarios } from './lib/options.mjs';
import { RedisAdmin } from './lib/redis-admin.mjs';
import { runOnce } from './lib/run-once.mjs';
import { buildRows, checkTargets, summarizeRuns } from './lib/summarize.mjs';
import { formatBacklog, formatMarkdown, formatRecording, formatTable, formatTargets } from './lib/table.mjs';
import { PAYLOAD_BYTES } from './lib/payload.mjs';
import { median } from './lib/stats.mjs';
import { runRecording } from './recording.mjs';
import { formatOutbox, runOutbox } from './outbox.mjs';
import { formatPayloads, runPayloads } from './payloads.mjs';
import { SCENARIOS, TUNED, withComparedBuilds } from './scenarios/index.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const opts = parseOptions();
// --dist=DIR: every child (and the recording scenario) loads ours from that build.
if (opts.dist) process.env.BENCH_DIST = resolve(opts.dist);
// --ioredis=DIR: every child imports ioredis from there (lib/ioredis-swap.mjs).
if (opts.ioredis) process.env.BENCH_IOREDIS = resolve(opts.ioredis);
const ioredisVersion = (() => {
  const from = createRequire(join(process.env.BENCH_IOREDIS ?? ROOT, 'bench.js'));
  return JSON.parse(readFileSync(from.resolve('ioredis/package.json'), 'utf8')).version;
})();
const log = line => console.log(line);
const startedAt = new Date();
const t0 = Date.now();

if (opts.build) {
  log('Building (npm run build) …');
  execSync('npm run build --silent', { cwd: ROOT, stdio: 'inherit' });
}

const [load1] = loadavg();
if (load1 > cpus().length * 0.75) {
  log(`Note: load average ${load1.toFixed(1)} on ${cpus().length} cores before the start — other processes are busy, figures will be noisy.`);
}
if (opts.manyTopics) await runManyTopicsMain(opts, { root: ROOT, log, git: gitInfo() });
if (opts.payloads) log(`\nPayload features, ${opts.reps} interleaved rounds\n${formatPayloads(await runPayloads({ reps: opts.reps, log }))}`);
if (!opts.peers) process.exit(0);
const scenarios = withComparedBuilds(selectScenarios(SCENARIOS, opts.only), opts.compareDist);
if (!scenarios.length) throw new Error(`--only=${opts.only.join(',')} matches no scenario`);
const admin = new RedisAdmin();
await admin.init();
if (opts.cpuProf) mkdirSync(opts.cpuProf.dir, { recursive: true });

async function phase(name, params, timeoutMs) {
  const runs = Object.fromEntries(scenarios.map(s => [s.name, []]));
  for (let rep = 1; rep <= opts.reps; rep++) {
    // Interleaved rounds, each starting one scenario later, so no peer always runs first or last.
    const k = (rep - 1) % scenarios.length;
    for (const s of [...scenarios.slice(k), ...scenarios.slice(0, k)]) {
      const row = await runOnce(s, params, admin, { cpuProf: opts.cpuProf, timeoutMs, log });
      runs[s.name].push(row);
      log(`[${name} ${rep}/${opts.reps}] ${s.name.padEnd(20)} ${describe(row)}`);
    }
  }
  return runs;
}

const fmtPct = v => (v === undefined ? '—' : `${Math.round(v)} %`);
const us = v => (v === undefined ? '—' : v.toFixed(1));

function describe(row) {
  if (!row.complete) return `INCOMPLETE: ${row.delivered ?? 0}/${row.expected ?? '?'} handled${row.error ? ` — ${row.error}` : ''}`;
  const lat = row.latency ? `, p50 ${row.latency.p50Ms.toFixed(2)} ms, p99 ${row.latency.p99Ms.toFixed(2)} ms` : '';
  const calls = Object.entries(row.redisCallsPerMessage ?? {}).map(([c, n]) => `${c} ${n}`).join(', ');
  return `e2e ${Math.round(row.e2eMsgsPerSec).toLocaleString('en-US')} msg/s, producer ${Math.round(row.producerMsgsPerSec).toLocaleString('en-US')} msg/s, ${row.e2eSeconds.toFixed(2)} s, CPU µs/msg ${us(row.producerCpuUsPerMsg)}/${us(row.consumerCpuUsPerMsg)}/${us(row.redisCpuUsPerMsg)}${lat}, other load ${Math.round(row.otherCpuPctOfMachine ?? 0)} %${row.duplicates ? `, ${row.duplicates} duplicates` : ''}; Redis calls/msg: ${calls}`;
}

const summarize = runs => Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summarizeRuns(v)]));
const results = {
  date: startedAt.toISOString(),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: admin.version,
    ioredis: ioredisVersion,
    redisCpuMeasured: admin.pid !== undefined,
    loadAverageAtStart: loadavg(),
  },
  git: gitInfo(),
  config: {
    scenario: opts.scenario,
    build: opts.dist ? resolve(opts.dist) : 'dist',
    messages: opts.messages,
    payloadBytes: PAYLOAD_BYTES,
    reps: opts.reps,
    producerWindow: opts.window,
    throughputWarmup: opts.warmup,
    latencyRate: opts.rate,
    latencyMessages: opts.latencyMessages,
    latencyWarmup: opts.latencyWarmup,
    backlog: opts.backlog,
    tuned: TUNED,
    scenarios: scenarios.map(s => ({ name: s.name, label: s.label })),
  },
  throughput: {},
  latency: {},
};

try {
  if (!opts.skip.has('throughput')) {
    const warm = opts.warmup ? `, each after a warm-up of ${opts.warmup.toLocaleString('en-US')}` : '';
    log(`\nThroughput: ${opts.messages.toLocaleString('en-US')} messages × ${opts.reps} reps${warm}, producer window ${opts.window}`);
    const runs = await phase('throughput', { messages: opts.messages, window: opts.window, warmupRun: opts.warmup }, Math.max(60_000, opts.messages + opts.warmup));
    results.throughput = summarize(runs);
    results.throughputRuns = runs;
    if (opts.hotTopic) results.hotTopic = summarizeHotTopic(runs);
  }
  if (!opts.skip.has('latency')) {
    log(`\nLatency: ${opts.rate} msg/s, ${opts.latencyMessages} measured messages after ${opts.latencyWarmup} warm-up, × ${opts.reps} reps`);
    const params = { messages: opts.latencyMessages, warmup: opts.latencyWarmup, rate: opts.rate, latency: true };
    const runs = await phase('latency', params, ((opts.latencyMessages + opts.latencyWarmup) / opts.rate) * 1000 + 30_000);
    results.latency = summarize(runs);
    results.latencyRuns = runs;
  }
  if (!opts.skip.has('backlog') && opts.backlog > 0 && scenarios.some(s => s.module === 'ours')) {
    log(`\nBacklog: ${opts.backlog.toLocaleString('en-US')} messages`);
    results.backlog = await runBacklog(admin, { messages: opts.backlog, cpuProf: opts.cpuProf, log });
  }
  if (!opts.skip.has('recording') && scenarios.some(s => s.module === 'ours')) {
    log('\nRecording on vs off');
    results.recording = await runRecording(admin, {
      root: ROOT,
      messages: opts.messages,
      warmup: opts.warmup,
      window: opts.window,
      reps: opts.reps,
      timeoutMs: Math.max(60_000, opts.messages),
      cpuProf: opts.cpuProf,
      log,
    });
  }
  if (!opts.skip.has('outbox') && scenarios.some(s => s.module === 'ours')) {
    log('\nOutbox vs emit after commit');
    const messages = Math.min(opts.messages, 20_000);
    results.outbox = await runOutbox(admin, { root: ROOT, messages, window: 100, rate: 500, latencyMessages: 2_000, warmup: 200, reps: opts.reps, log });
  }
  if (!opts.skip.has('payloads') && scenarios.some(s => s.module === 'ours')) {
    log('\nPayload features (codec, compression, encryption, tracing)');
    results.payloads = await runPayloads({ reps: opts.reps, log });
  }
} finally {
  await admin.close();
}

results.rows = buildRows(scenarios, results.throughput, results.latency);
results.targets = checkTargets(results.rows, results.backlog, results.recording);
results.wallSeconds = (Date.now() - t0) / 1000;
results.full = !opts.compareDist && !opts.only.length && !opts.skip.size && opts.messages === 100_000 && opts.reps >= 3 && opts.backlog === 1_000_000;

log(`\n${scenarios.length} scenarios, ${opts.messages.toLocaleString('en-US')} × ${PAYLOAD_BYTES}-byte JSON messages, median of ${opts.reps}; latency at ${opts.rate} msg/s (${startedAt.toISOString()}, ${cpus().length} cores, ioredis ${ioredisVersion})`);
log(formatTable(results.rows));
if (results.targets.length) log(`\nTargets\n${formatTargets(results.targets)}`);
if (results.hotTopic) {
  log(`\nIssue 9 — one hot topic, ${opts.reps} interleaved rounds of ${opts.messages.toLocaleString('en-US')} messages${opts.warmup ? ` after a warm-up of ${opts.warmup.toLocaleString('en-US')}` : ''} (ratios within each round)`);
  log(formatMarkdown(HOT_TOPIC_HEAD, hotTopicTableRows(results.hotTopic)));
  const targets = hotTopicTargets(results.hotTopic);
  if (targets.length) log(formatTargets(targets));
  const busy = hotTopicOtherLoad(results.hotTopic);
  if (busy > 25) log(`Note: other processes used a median ${Math.round(busy)} % of the machine during these rounds; throughput ratios are noisy, CPU µs/msg less so.`);
}
if (results.backlog) log(`\nBacklog\n${formatBacklog(results.backlog)}`);
if (results.recording?.skipped) log(`\nRecording on vs off: ${results.recording.note}`);
else if (results.recording) log(`\n${formatRecording(results.recording)}`);
if (results.outbox?.skipped) log(`\nOutbox: ${results.outbox.note}`);
else if (results.outbox) log(`\n${formatOutbox(results.outbox)}`);
if (results.payloads) log(`\nPayload features\n${formatPayloads(results.payloads)}`);
results.otherLoad = {
  throughputMedianPct: median(Object.values(results.throughputRuns ?? {}).flat().map(r => r.otherCpuPctOfMachine)),
  latencyMedianPct: median(Object.values(results.latencyRuns ?? {}).flat().map(r => r.otherCpuPctOfMachine)),
};
log(
  `\nOther processes on this machine used a median ${fmtPct(results.otherLoad.throughputMedianPct)} of its CPU during the throughput runs and ` +
    `${fmtPct(results.otherLoad.latencyMedianPct)} during the latency runs (compare ratios within one run only).`,
);
log(`Wall time: ${results.wallSeconds.toFixed(0)} s`);

const outDir = resolve(ROOT, opts.out);
mkdirSync(outDir, { recursive: true });
const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
const file = join(outDir, `${stamp}${results.full ? '' : '-partial'}.json`);
const json = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(file, json);
writeFileSync(join(outDir, 'latest.json'), json);
log(`Results: ${file}`);

function gitInfo() {
  try {
    const commit = execSync('git rev-parse HEAD', { cwd: ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain -- lib', { cwd: ROOT }).toString().trim().length > 0;
    return { commit, libDirty: dirty };
  } catch {
    return undefined;
  }
}
