import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { nowNs } from './lib/clock.mjs';
import { startPrivateRedis } from './lib/private-redis.mjs';
import { cpuSecondsOfPid } from './lib/proc-cpu.mjs';
import { spawnRole } from './lib/spawn-role.mjs';
import { median } from './lib/stats.mjs';
import { formatMarkdown, formatTargets } from './lib/table.mjs';

const CHILD = fileURLToPath(new URL('./lib/many-topics-child.mjs', import.meta.url));
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Due delay of the delayed probes and fixed backoff of the retry probes (ms). */
export const DELAY_MS = 1000;
export const RETRY_BACKOFF_MS = 500;

/**
 * `npm run bench -- --scenario=many-topics`: one consumer process subscribed to `topics` topics (and,
 * as a second case, one topic × `groups` groups), ours and BullMQ side by side (Nest's pub/sub
 * `Transport.REDIS` as the idle-cost reference), on a redis-server of
 * the bench's own, so connections and commands are the consumer's alone. Per case: time to subscribe
 * all, then over an idle window Redis connections, Redis commands/s (every call, Lua inner calls
 * included) and the consumer's CPU; with the topics running: lateness of delayed messages and of
 * retries, how fast a pause takes effect, and traffic spread over every topic (each message handled
 * exactly once).
 */
export async function runManyTopics(opts, log) {
  const redis = await startPrivateRedis();
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const cases = [];
  for (const system of opts.systems) {
    for (const shape of opts.shapes) {
      // Nest's pub/sub transport is the idle-cost reference only: no groups, no durable traffic.
      if (system === 'nest-redis' && shape === 'groups') continue;
      const count = shape === 'groups' ? opts.groups : opts.topics;
      // BullMQ has no consumer groups: its `groups` case is that many queues, idle only.
      cases.push({ system, shape, count, traffic: system === 'ours' || (system === 'bullmq' && shape === 'topics') });
    }
  }
  const rows = [];
  try {
    const info = await admin.info('server');
    const redisVersion = /redis_version:([^\r\n]+)/.exec(info)?.[1];
    log(`\nMany topics: private redis-server ${redisVersion} on port ${redis.port}; idle window ${opts.idleMs / 1000} s after ${opts.settleMs / 1000} s settling`);
    for (const c of cases) {
      const row = await runCase(c, { opts, redis, admin, log });
      rows.push(row);
      await admin.flushall(); // the private server only
      await waitForClients(admin, 1, 15_000);
    }
    return { redisVersion, rows, targets: checkManyTopicsTargets(rows) };
  } finally {
    await admin.quit().catch(() => undefined);
    await redis.stop();
  }
}

async function runCase(c, { opts, redis, admin, log }) {
  const name = `${c.system} · ${c.shape === 'groups' ? `1 topic × ${c.count} groups` : `${c.count} ${c.system === 'ours' ? 'topics' : c.system === 'bullmq' ? 'queues' : 'patterns'}`}`;
  const row = { name, system: c.system, shape: c.shape, subscriptions: c.count, subscribeMode: opts.subscribe };
  if (c.system === 'bullmq' && c.shape === 'groups') row.name = `bullmq · ${c.count} queues (no groups)`;
  const cfg = {
    system: c.system,
    shape: c.shape,
    count: c.count,
    redisUrl: redis.url,
    prefix: `mt-${randomBytes(3).toString('hex')}`,
    retryBackoffMs: RETRY_BACKOFF_MS,
    subscribe: opts.subscribe,
  };
  const consumer = spawnRole('consumer', cfg, { entry: CHILD, label: `many-topics-${c.system}-${c.shape}` });
  let producer;
  try {
    const ready = await consumer.next('ready', 120_000 + c.count * 200);
    row.subscribeSeconds = ready.subscribeMs / 1000;
    log(`  ${row.name}: subscribed in ${row.subscribeSeconds.toFixed(2)} s; idle window …`);
    await sleep(opts.settleMs);
    row.idle = await idleWindow(admin, consumer.pid, redis.pid, opts.idleMs);
    const top = row.idle.topCommandsPerSec.map(([cmd, n]) => `${cmd} ${fmtNum(n)}`).join(', ');
    log(
      `  ${row.name}: ${row.idle.connections} connections, ${fmtNum(row.idle.commandsPerSec)} commands/s idle (${top || 'none'}), ` +
        `consumer CPU ${row.idle.consumerCpuPct.toFixed(1)} %, Redis CPU ${row.idle.redisCpuPct?.toFixed(1) ?? '—'} %`,
    );
    if (!c.traffic) return row;
    producer = spawnRole('producer', cfg, { entry: CHILD, label: `many-topics-${c.system}-${c.shape}` });
    await producer.next('ready', 60_000);
    const probes = new ProbeLog(consumer);
    if (c.shape === 'topics') {
      row.delayed = await measureDelayed(producer, probes, c.count);
      log(`  ${row.name}: ${DELAY_MS} ms delayed message late by ${describeLateness(row.delayed)}`);
      row.retry = await measureRetry(producer, probes, c.count);
      log(`  ${row.name}: retry after a fixed ${RETRY_BACKOFF_MS} ms backoff late by ${describeLateness(row.retry)}`);
      row.pause = await measurePause(consumer, producer, probes, c.count);
      log(`  ${row.name}: ${describePause(row.pause)}`);
    }
    row.traffic = await measureTraffic(consumer, producer, c, opts);
    await probes.waitFor(() => false, 500); // any probe handled twice shows up by now
    row.traffic.probeDuplicates = probes.duplicates;
    row.traffic.exactlyOnce &&= probes.duplicates.length === 0;
    log(`  ${row.name}: ${describeTraffic(row.traffic)}`);
    return row;
  } catch (err) {
    row.error = err.message;
    log(`  ${row.name}: ${err.message}`);
    return row;
  } finally {
    const errors = [...consumer.errors, ...(producer?.errors ?? [])];
    if (errors.length) row.childErrors = errors.slice(0, 3);
    await Promise.all([consumer.stop(30_000), producer?.stop()]);
  }
}

/**
 * Idle cost over `ms`: Redis connections (`connected_clients` minus the bench's own), Redis calls/s
 * (sum of `INFO commandstats` calls — commands run by Lua scripts are counted too — without the
 * bench's INFO calls), the consumer's and Redis's CPU (/proc/<pid>/stat).
 */
async function idleWindow(admin, consumerPid, redisPid, ms) {
  const clients0 = await connectedClients(admin);
  const calls0 = await commandCalls(admin);
  const cpu0 = cpuSecondsOfPid(consumerPid);
  const redisCpu0 = cpuSecondsOfPid(redisPid);
  const t0 = nowNs();
  await sleep(ms);
  const calls1 = await commandCalls(admin);
  const cpu1 = cpuSecondsOfPid(consumerPid);
  const redisCpu1 = cpuSecondsOfPid(redisPid);
  const seconds = (nowNs() - t0) / 1e9;
  const clients1 = await connectedClients(admin);
  const perCommand = Object.entries(calls1)
    .filter(([cmd]) => cmd !== 'info')
    .map(([cmd, n]) => [cmd, (n - (calls0[cmd] ?? 0)) / seconds])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    seconds,
    connections: Math.max(clients0, clients1) - 1,
    commandsPerSec: perCommand.reduce((sum, [, n]) => sum + n, 0),
    topCommandsPerSec: perCommand.slice(0, 6),
    consumerCpuPct: cpu0 === undefined || cpu1 === undefined ? undefined : (100 * (cpu1 - cpu0)) / seconds,
    redisCpuPct: redisCpu0 === undefined || redisCpu1 === undefined ? undefined : (100 * (redisCpu1 - redisCpu0)) / seconds,
  };
}

/** Five topics spread over the range, for probes. */
function spread(count) {
  return [...new Set([0, Math.floor(count / 4), Math.floor(count / 2), Math.floor((3 * count) / 4), count - 1])];
}

/** A delayed message (`DELAY_MS`) on five topics: how late each is handled. */
async function measureDelayed(producer, probes, count) {
  const list = spread(count).map(index => ({ id: `delayed-${index}`, index, delayMs: DELAY_MS }));
  const sent = await op(producer, 'probes', { probes: list });
  await probes.waitFor(log => list.every(p => log.handled.has(p.id)), DELAY_MS + 15_000);
  return lateness(sent.map(s => ({ id: s.id, fromNs: s.sentNs, ns: probes.handled.get(s.id), dueMs: DELAY_MS })));
}

/** A message failing once on five topics: how late the retry comes after the fixed backoff. */
async function measureRetry(producer, probes, count) {
  const list = spread(count).map(index => ({ id: `retry-${index}`, index, failOnce: true }));
  await op(producer, 'probes', { probes: list });
  await probes.waitFor(log => list.every(p => log.handled.has(p.id)), RETRY_BACKOFF_MS + 15_000);
  return lateness(list.map(p => ({ id: p.id, fromNs: probes.failed.get(p.id), ns: probes.handled.get(p.id), dueMs: RETRY_BACKOFF_MS })));
}

function lateness(samples) {
  const ms = samples.filter(s => s.fromNs !== undefined && s.ns !== undefined).map(s => (s.ns - s.fromNs) / 1e6 - s.dueMs);
  return {
    samples: samples.length,
    handled: ms.length,
    lateMs: ms,
    medianMs: median(ms),
    maxMs: ms.length ? Math.max(...ms) : undefined,
  };
}

/**
 * Pauses one topic, then publishes a probe to it every 20 ms for 1.5 s, holds another second and
 * resumes. `effectiveAfterMs`: the latest probe handled before the resume, counted from when the
 * pause call returned (0 = none was); `held`: nothing published ≥ 1 s after the pause was handled
 * before the resume; then every probe must arrive after the resume.
 */
async function measurePause(consumer, producer, probes, count) {
  const index = Math.floor(count / 3);
  consumer.send({ type: 'watch-paused', index, want: true, timeoutMs: 5000 });
  const pause = await op(producer, 'pause', { index });
  const sent = await op(producer, 'stream', { index, intervalMs: 20, spanMs: 1500, idPrefix: `pause-${index}-` });
  await sleep(1000);
  const reportedPaused = await consumer.next('paused-state', 10_000);
  consumer.send({ type: 'watch-paused', index, want: false, timeoutMs: 5000 });
  const resume = await op(producer, 'resume', { index });
  await probes.waitFor(log => sent.every(s => log.handled.has(s.id)), 15_000);
  const reportedResumed = await consumer.next('paused-state', 10_000);
  const before = sent.filter(s => (probes.handled.get(s.id) ?? Infinity) < resume.beforeNs);
  const after = sent.filter(s => (probes.handled.get(s.id) ?? -Infinity) >= resume.beforeNs);
  const since = s => (s.sentNs - pause.afterNs) / 1e6;
  return {
    pauseCallMs: (pause.afterNs - pause.beforeNs) / 1e6,
    published: sent.length,
    handledWhilePaused: before.length,
    effectiveAfterMs: before.length ? Math.max(0, ...before.map(since)) : 0,
    held: before.every(s => since(s) < 1000),
    deliveredAfterResume: after.length,
    lost: sent.length - before.length - after.length,
    resumeToAllMs: after.length ? (Math.max(...after.map(s => probes.handled.get(s.id))) - resume.afterNs) / 1e6 : undefined,
    // The consumer's own view (ours: getConsumerStates().paused), from the pause / resume call's return.
    reportedPausedAfterMs: reportedPaused.ns === undefined ? undefined : (reportedPaused.ns - pause.afterNs) / 1e6,
    reportedResumedAfterMs: reportedResumed.ns === undefined ? undefined : (reportedResumed.ns - resume.afterNs) / 1e6,
  };
}

/** Traffic spread over every topic (or fanned out to every group); counts every handling. */
async function measureTraffic(consumer, producer, c, opts) {
  const messages = c.shape === 'groups' ? opts.groupMessages : opts.perTopic * c.count;
  const groups = c.shape === 'groups' ? c.count : 1;
  consumer.send({ type: 'expect', messages, groups });
  await consumer.next('expecting', 10_000);
  const timeoutMs = 180_000;
  const produced = await op(producer, 'traffic', { messages, topics: c.shape === 'groups' ? 1 : c.count, window: 1000 }, timeoutMs);
  let report;
  let error;
  try {
    ({ report } = await consumer.next('done', timeoutMs));
  } catch (err) {
    error = err.message;
  }
  await sleep(1000); // late duplicates would show up here
  consumer.send({ type: 'report' });
  const final = (await consumer.next('report', 10_000)).report;
  const complete = final.distinct === final.expected;
  const seconds = report ? (report.lastNs - produced.startNs) / 1e9 : undefined;
  return {
    messages,
    groups,
    handlings: final.expected,
    handled: final.distinct,
    duplicates: final.duplicates,
    stray: final.stray,
    complete,
    exactlyOnce: complete && final.duplicates === 0 && final.stray === 0,
    producerErrors: produced.errors,
    e2eSeconds: seconds,
    handledPerSec: seconds ? final.expected / seconds : undefined,
    consumerCpuUsPerHandling: report ? (1e6 * report.cpuSeconds) / final.expected : undefined,
    error,
  };
}

/** Every probe event the consumer reported, by id. */
class ProbeLog {
  constructor(consumer) {
    this.consumer = consumer;
    this.handled = new Map();
    this.failed = new Map();
    this.duplicates = [];
  }

  /** Reads probe events until `done(this)` or `timeoutMs` passed; resolves whether it got there. */
  async waitFor(done, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let ev;
      try {
        ev = await this.consumer.next('probe', left);
      } catch {
        return false;
      }
      const into = ev.event === 'failed' ? this.failed : this.handled;
      if (into.has(ev.id)) this.duplicates.push(ev.id);
      else into.set(ev.id, ev.ns);
    }
    return true;
  }
}

async function op(producer, name, params, timeoutMs = 30_000) {
  producer.send({ type: 'op', op: name, ...params });
  return (await producer.next('op-done', timeoutMs)).result;
}

async function connectedClients(admin) {
  return Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
}

async function commandCalls(admin) {
  const calls = {};
  for (const m of (await admin.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls[m[1]] = Number(m[2]);
  return calls;
}

async function waitForClients(admin, n, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while ((await connectedClients(admin)) > n && Date.now() < deadline) await sleep(100);
}

/** Issue 9's acceptance figures, checked for every case of ours. */
export function checkManyTopicsTargets(rows) {
  const out = [];
  for (const r of rows.filter(row => row.system === 'ours')) {
    const add = (target, value, unit, met) => value !== undefined && out.push({ variant: r.name, target, value, unit, met });
    add('Redis connections ≤ 4', r.idle?.connections, '', r.idle?.connections <= 4);
    add('Redis commands/s while idle ≤ 50', r.idle?.commandsPerSec, '/s', r.idle?.commandsPerSec <= 50);
    add('consumer CPU while idle ≤ 5 %', r.idle?.consumerCpuPct, '%', r.idle?.consumerCpuPct <= 5);
    add(`subscribing all (${r.subscribeMode}) < 1 s`, r.subscribeSeconds, 's', r.subscribeSeconds < 1);
    if (r.delayed) add(`${DELAY_MS} ms delayed message < 150 ms late (max of ${r.delayed.samples})`, r.delayed.handled === r.delayed.samples ? r.delayed.maxMs : Infinity, 'ms', r.delayed.handled === r.delayed.samples && r.delayed.maxMs < 150);
    if (r.retry) add(`retry, fixed ${RETRY_BACKOFF_MS} ms backoff, < 150 ms late (max of ${r.retry.samples})`, r.retry.handled === r.retry.samples ? r.retry.maxMs : Infinity, 'ms', r.retry.handled === r.retry.samples && r.retry.maxMs < 150);
    if (r.pause) add('pause holds within 1 s (nothing lost)', r.pause.effectiveAfterMs, 'ms', r.pause.held && r.pause.lost === 0);
    if (r.traffic) add(`${r.traffic.messages.toLocaleString('en-US')} messages${r.traffic.groups > 1 ? ` × ${r.traffic.groups} groups` : ''} (and every probe) handled exactly once`, r.traffic.handled, `/ ${r.traffic.handlings}`, r.traffic.exactlyOnce);
  }
  return out;
}

const fmtNum = v => (v === undefined ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

function describeLateness(l) {
  if (!l.handled) return `— (none of ${l.samples} handled)`;
  return `median ${l.medianMs.toFixed(0)} ms, max ${l.maxMs.toFixed(0)} ms (${l.handled}/${l.samples} handled)`;
}

function describePause(p) {
  return (
    `pause: ${p.handledWhilePaused}/${p.published} probes handled while paused, the last published ${p.effectiveAfterMs.toFixed(0)} ms after the pause; ` +
    `${p.held ? 'held within 1 s' : 'NOT held within 1 s'}; ${p.deliveredAfterResume} delivered after resume (all within ${p.resumeToAllMs?.toFixed(0) ?? '—'} ms), ${p.lost} lost` +
    (p.reportedPausedAfterMs === undefined ? '' : `; read loop reported paused after ${p.reportedPausedAfterMs.toFixed(0)} ms, resumed after ${p.reportedResumedAfterMs?.toFixed(0) ?? '—'} ms`)
  );
}

function describeTraffic(t) {
  if (!t.complete) return `traffic INCOMPLETE: ${t.handled}/${t.handlings} handled${t.error ? ` — ${t.error}` : ''}`;
  const what = t.groups > 1 ? `${t.messages} messages × ${t.groups} groups` : `${t.messages.toLocaleString('en-US')} messages`;
  const probeDup = t.probeDuplicates?.length ? `, probes handled twice: ${t.probeDuplicates.join(', ')}` : '';
  return `${what}: ${fmtNum(t.handledPerSec)} handled/s end to end, ${t.consumerCpuUsPerHandling.toFixed(0)} µs consumer CPU each, ${t.duplicates} duplicates${probeDup}${t.exactlyOnce ? ', exactly once' : ''}`;
}

/** The many-topics table: one row per case. */
export function manyTopicsTableRows(rows) {
  const late = l => (l?.handled ? `${l.medianMs.toFixed(0)} / ${l.maxMs.toFixed(0)}` : l ? 'lost' : '—');
  return rows.map(r => [
    r.name + (r.error ? ' (!)' : ''),
    r.subscribeSeconds === undefined ? '—' : r.subscribeSeconds.toFixed(2),
    r.idle ? String(r.idle.connections) : '—',
    fmtNum(r.idle?.commandsPerSec),
    r.idle?.consumerCpuPct === undefined ? '—' : r.idle.consumerCpuPct.toFixed(1),
    r.idle?.redisCpuPct === undefined ? '—' : r.idle.redisCpuPct.toFixed(1),
    late(r.delayed),
    late(r.retry),
    r.pause ? `${r.pause.effectiveAfterMs.toFixed(0)}${r.pause.held && !r.pause.lost ? '' : ' (!)'}` : '—',
    r.traffic?.handledPerSec ? fmtNum(r.traffic.handledPerSec) : r.traffic ? 'incomplete' : '—',
    r.traffic ? (r.traffic.exactlyOnce ? 'yes' : `no (${r.traffic.handled}/${r.traffic.handlings}, ${r.traffic.duplicates + (r.traffic.probeDuplicates?.length ?? 0)} dup)`) : '—',
  ]);
}

export const MANY_TOPICS_HEAD = [
  'case',
  'subscribe all s',
  'Redis conns',
  'idle cmds/s',
  'idle CPU %',
  'idle Redis CPU %',
  `delayed ${DELAY_MS} ms: late ms med / max`,
  `retry ${RETRY_BACKOFF_MS} ms: late ms med / max`,
  'pause effective ms',
  'traffic handled/s',
  'exactly once',
];

/**
 * Runs the many-topics scenario, prints its table and targets, and writes
 * `<out>/<date>-many-topics.json` and `<out>/latest-many-topics.json`.
 */
export async function runManyTopicsMain(opts, { root, log, git }) {
  const startedAt = new Date();
  const t0 = Date.now();
  const result = await runManyTopics(opts, log);
  const results = {
    date: startedAt.toISOString(),
    scenario: 'many-topics',
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, redis: result.redisVersion, loadAverageAtStart: loadavg() },
    git,
    build: opts.dist ? resolve(opts.dist) : 'dist',
    config: {
      topics: opts.topics,
      groups: opts.groups,
      idleMs: opts.idleMs,
      settleMs: opts.settleMs,
      perTopic: opts.perTopic,
      groupMessages: opts.groupMessages,
      delayMs: DELAY_MS,
      retryBackoffMs: RETRY_BACKOFF_MS,
      systems: opts.systems,
      shapes: opts.shapes,
      subscribe: opts.subscribe,
    },
    rows: result.rows,
    targets: result.targets,
    wallSeconds: (Date.now() - t0) / 1000,
  };
  log(`\nMany topics (${startedAt.toISOString()}, ${cpus().length} cores): one consumer process per case, private redis-server ${result.redisVersion}`);
  log(formatMarkdown(MANY_TOPICS_HEAD, manyTopicsTableRows(result.rows)));
  log(
    'Connections and commands: the consumer process alone (INFO clients / commandstats, Lua inner calls included, the bench\'s INFO left out); ' +
      'CPU: % of one core over the idle window. Pause: the latest probe handled while paused, in ms after the pause call returned.',
  );
  if (results.targets.length) log(`\nIssue 9 targets\n${formatTargets(results.targets)}`);
  const outDir = resolve(root, opts.out);
  mkdirSync(outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const file = join(outDir, `${stamp}-many-topics.json`);
  writeFileSync(file, json);
  writeFileSync(join(outDir, 'latest-many-topics.json'), json);
  log(`Wall time: ${results.wallSeconds.toFixed(0)} s\nResults: ${file}`);
  return results;
}
