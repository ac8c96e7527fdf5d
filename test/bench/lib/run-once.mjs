import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { scenarioConfig } from '../scenarios/index.mjs';
import { spawnRole } from './spawn-role.mjs';

/**
 * One producer process and one consumer process of `scenario`, under a fresh key prefix:
 * both start, the consumer is told "start" and the producer "go", and the run ends when the
 * consumer has handled every distinct message (or `timeoutMs` passed: the row says how many
 * arrived). Keys are deleted afterwards. With `params.warmupRun`, that many messages are sent and
 * handled first, outside every figure (times, CPU, Redis calls): the run measures warm processes.
 */
export async function runOnce(scenario, params, admin, { cpuProf, timeoutMs, log, meters = {} }) {
  const prefix = `bench-${scenario.name}-${randomBytes(4).toString('hex')}`;
  const cfg = scenarioConfig(scenario, { ...params, prefix });
  const profiled = cpuProf?.targets.has(scenario.name) ? cpuProf.dir : undefined;
  const consumer = spawnRole('consumer', cfg, { cpuProf: profiled, label: scenario.name });
  const producer = spawnRole('producer', cfg, { cpuProf: profiled, label: scenario.name });
  try {
    await Promise.all([consumer.next('ready', 60_000), producer.next('ready', 60_000)]);
    if (cfg.warmupRun) {
      const warmed = Promise.all([consumer.next('warmed', timeoutMs), producer.next('warmed', timeoutMs)]);
      producer.send({ type: 'warm' });
      await warmed;
    }
    const calls0 = await admin.commandCalls();
    const redis0 = admin.cpuSeconds();
    const machine0 = admin.machineBusySeconds();
    const meters0 = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.read()]));
    const wall0 = Date.now();
    consumer.send({ type: 'start' });
    producer.send({ type: 'go' });
    const deadline = Date.now() + timeoutMs;
    const producedP = producer.next('produced', timeoutMs);
    const doneP = consumer.next('done', timeoutMs);
    let produced;
    let done;
    let error;
    try {
      [produced, done] = await Promise.all([producedP, doneP]);
    } catch (err) {
      error = err.message;
      doneP.catch(() => undefined);
      producedP.catch(() => undefined);
      produced = await producedP.catch(() => undefined);
      done = await doneP.catch(() => undefined);
      if (!done) {
        consumer.send({ type: 'report' });
        done = await consumer.next('partial', Math.max(5_000, deadline - Date.now())).catch(() => undefined);
      }
    }
    const redis1 = admin.cpuSeconds();
    const machine1 = admin.machineBusySeconds();
    const wallSeconds = (Date.now() - wall0) / 1000;
    const row = toRow(produced?.result, done?.report, redis0, redis1);
    // Extra CPU meters (e.g. PostgreSQL for the recording scenario): CPU seconds and µs per message.
    for (const [k, m] of Object.entries(meters)) {
      const seconds = m.delta(meters0[k], m.read());
      row[`${k}CpuSeconds`] = seconds;
      if (row.expected) row[`${k}CpuUsPerMsg`] = (1e6 * seconds) / row.expected;
    }
    if (machine0 !== undefined && machine1 !== undefined) {
      // CPU used by everything else on the machine meanwhile (other engineers' tests, the OS).
      const metered = Object.keys(meters).reduce((n, k) => n + (row[`${k}CpuSeconds`] ?? 0), 0);
      const ours = (row.producerCpuSeconds ?? 0) + (row.consumerCpuSeconds ?? 0) + (row.redisCpuSeconds ?? 0) + metered;
      row.otherCpuPctOfMachine = Math.max(0, (100 * (machine1 - machine0 - ours)) / (wallSeconds * cpus().length));
    }
    row.redisCallsPerMessage = callsPerMessage(calls0, await admin.commandCalls(), cfg.messages + (cfg.warmup ?? 0));
    if (error) row.error = error;
    if (consumer.errors.length || producer.errors.length) row.childErrors = [...consumer.errors, ...producer.errors].slice(0, 3);
    return row;
  } catch (err) {
    log?.(`  ${scenario.name}: ${err.message}`);
    return { complete: false, error: err.message };
  } finally {
    await Promise.all([consumer.stop(), producer.stop()]);
    await admin.deletePrefix(prefix).catch(() => undefined);
  }
}

function toRow(produced, consumed, redis0, redis1) {
  const row = { complete: false };
  if (produced) {
    const seconds = (produced.endNs - produced.startNs) / 1e9;
    row.producerMsgsPerSec = produced.sent / seconds;
    row.producerSeconds = seconds;
    row.producerErrors = produced.errors;
    if (produced.firstError) row.producerFirstError = produced.firstError;
    row.producerCpuSeconds = produced.cpuSeconds;
  }
  if (consumed) {
    row.delivered = consumed.distinct;
    row.expected = consumed.expected;
    row.duplicates = consumed.duplicates;
    row.consumerCpuSeconds = consumed.cpuSeconds;
    row.peakRssMb = consumed.peakRssBytes / 2 ** 20;
    row.complete = consumed.distinct === consumed.expected;
    if (row.complete && produced) {
      row.e2eSeconds = (consumed.lastNs - produced.startNs) / 1e9;
      row.e2eMsgsPerSec = consumed.expected / row.e2eSeconds;
    }
    if (consumed.latency) row.latency = consumed.latency;
    if (consumed.extra) row.extra = consumed.extra;
  }
  if (redis0 !== undefined && redis1 !== undefined) row.redisCpuSeconds = redis1 - redis0;
  const window = row.e2eSeconds;
  if (window) {
    for (const who of ['producer', 'consumer', 'redis']) {
      const s = row[`${who}CpuSeconds`];
      if (s !== undefined) row[`${who}CpuPct`] = (100 * s) / window;
      if (s !== undefined) row[`${who}CpuUsPerMsg`] = (1e6 * s) / row.expected;
    }
  }
  return row;
}

/** Redis commands per message during the run, by command (those ≥ 0.001 per message). */
function callsPerMessage(before, after, messages) {
  const out = {};
  for (const [cmd, n] of Object.entries(after)) {
    const per = (n - (before[cmd] ?? 0)) / messages;
    if (per >= 0.001 && cmd !== 'info') out[cmd] = Math.round(per * 1000) / 1000;
  }
  return out;
}
